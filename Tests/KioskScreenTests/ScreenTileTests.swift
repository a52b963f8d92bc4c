import Foundation
import KioskScreen
import Testing

/// What the officer's screen says for each dock phase, and how a tile is made from a bay.
@Suite struct ScreenTileTests {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    static func bay(_ phase: String, done: UInt64 = 0, total: UInt64 = 0, note: String = "", name: String? = "张三",
                    ended: Date? = nil) -> BayView {
        BayView(bay: "1-1.3", serial: "A100001", officerNumber: "010001", officerName: name, phase: phase,
                bytesDone: done, bytesTotal: total, started: start, ended: ended, note: note, clockOffsetMilliseconds: 12.5)
    }

    @Test func everyPhaseHasTheWordsAnOfficerActsOn() {
        let expected: [String: TileState] = [
            "identifying": .reading, "authenticating": .reading, "cataloguing": .reading, "ingesting": .reading,
            "verifying": .verifying, "finalizing": .verifying, "forwarding": .verifying, "releasing": .verifying,
            "done": .safeToTake, "interrupted": .dockAgain, "error": .needsTechnician, "something-new": .needsTechnician,
        ]
        for (phase, state) in expected { #expect(TileState(phase: phase) == state, "\(phase)") }
        #expect(TileState.safeToTake.chinese == "可取走" && TileState.safeToTake.english == "Safe to take")
        #expect(TileState.reading.chinese == "接入中" && TileState.verifying.chinese == "校验中")
        #expect(TileState.needsTechnician.chinese == "请联系管理员" && TileState.needsTechnician.english == "Needs a technician")
        // Never colour alone: every state has words and a symbol of its own.
        #expect(Set(TileState.allCases.map(\.symbol)).count == TileState.allCases.count)
        #expect(Set(TileState.allCases.map(\.chinese)).count == TileState.allCases.count)
    }

    @Test func aTileCarriesProgressAndTimeLeftWhileTheRecorderMustStay() {
        // 100 MB of 400 MB in 10 s: 30 s to go.
        let tile = ScreenTile(Self.bay("ingesting", done: 100_000_000, total: 400_000_000), now: Self.start.addingTimeInterval(10))
        #expect(tile.state == .reading && tile.percent == 25 && tile.secondsLeft == 30)
        #expect(tile.officerName == "张三" && tile.officerNumber == "010001" && tile.detail == nil)
        // No rate yet, nothing left, or a stalled link: nothing or a bounded wait.
        #expect(ScreenTile(Self.bay("ingesting", total: 400), now: Self.start.addingTimeInterval(10)).secondsLeft == nil)
        #expect(ScreenTile(Self.bay("verifying", done: 400, total: 400), now: Self.start.addingTimeInterval(10)).secondsLeft == nil)
        let stalled = ScreenTile(Self.bay("ingesting", done: 1, total: UInt64.max), now: Self.start.addingTimeInterval(1e6))
        #expect(stalled.secondsLeft == ScreenTile.longestWait && stalled.percent == 0)
    }

    @Test func aFinishedDockShowsItsResultAndWhy() {
        let ended = Self.start.addingTimeInterval(60)
        let done = ScreenTile(Self.bay("done", ended: ended), now: ended)
        #expect(done.state == .safeToTake && done.percent == 100 && done.secondsLeft == nil && done.detail == nil)
        #expect(done.ended == "2026-11-30T00:54:20Z")
        let failed = ScreenTile(Self.bay("error", note: "authentication refused: wrong password\n" + String(repeating: "x", count: 400), ended: ended), now: ended)
        #expect(failed.state == .needsTechnician && failed.detail?.hasPrefix("authentication refused") == true)
        #expect(failed.detail?.count == ScreenTile.longestDetail && failed.detail?.hasSuffix("…") == true)
        #expect(ScreenTile(Self.bay("done", name: ""), now: ended).officerName == nil)
        // A recorder's name of any length is shown bounded, as every update carries it.
        let long = ScreenTile(Self.bay("ingesting", name: String(repeating: "张", count: 5000)), now: ended)
        #expect(long.officerName?.count == ScreenTile.longestName && long.officerName?.hasSuffix("…") == true)
    }

    /// Whatever a recorder calls its officer, an update is one `data:` line of JSON: a name with
    /// line breaks or markup cannot end the event or become markup (the page draws text nodes).
    @Test func anUpdateIsOneEventWhateverTheNamesSay() throws {
        let hostile = Self.bay("ingesting", done: 1, total: 2, name: "</script><b>x</b>\n\ndata: forged")
        let update = ScreenUpdate(bays: [hostile], gateway: "kiosk-7", now: Self.start)
        let event = String(decoding: update.event(), as: UTF8.self)
        #expect(event.hasPrefix("data: {") && event.hasSuffix("}\n\n"))
        #expect(event.dropLast(2).contains("\n") == false)
        let decoded = try JSONDecoder().decode(ScreenUpdate.self, from: Data(update.json().utf8))
        #expect(decoded.tiles.first?.officerName == "</script><b>x</b>\n\ndata: forged" && decoded.gateway == "kiosk-7")
    }

    /// The page draws with text nodes and loads nothing from elsewhere.
    @Test func thePageUsesTextNodesOnly() {
        #expect(!ScreenAssets.js.contains("innerHTML") && !ScreenAssets.js.contains("insertAdjacentHTML") && !ScreenAssets.js.contains("eval("))
        #expect(ScreenAssets.js.contains("textContent") && ScreenAssets.js.contains("new EventSource(\"/events\")"))
        #expect(!ScreenAssets.html.contains("http://") && !ScreenAssets.html.contains("https://") && !ScreenAssets.css.contains("url("))
    }
}
