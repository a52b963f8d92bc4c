import Foundation
import RecorderProtocol
import Testing
@testable import RecorderSimulator

@Suite struct ScenarioTests {
    @Test func theExampleScenarioParses() throws {
        let s = try Scenario(json: Data(ExampleScenario.json.utf8))
        #expect(s.recorders.count == 4)
        #expect(s.recorders.map(\.port) == ["1-1.1", "1-1.2", "1-1.3", "1-1.4"])
        #expect(s.recorders[0].recordings.contains { $0.kind == .gpsLog })
    }

    static let bad: [(String, String, String)] = [
        ("not JSON", "{", ""),
        ("wrong schema", #"{"schema": 2, "recorders": []}"#, "schema"),
        ("no recorders", #"{"schema": 1, "recorders": []}"#, "recorders"),
        ("unknown top-level key", #"{"schema": 1, "recorder": []}"#, "recorder"),
        ("serial too long", recorder(#""identity": {"serial": "A1234567"}, "password": "", "recordings": []"#), "recorders[0].identity.serial"),
        ("officer number wrong", recorder(#""identity": {"serial": "A123456", "officerNumber": "12"}, "password": "", "recordings": []"#), "recorders[0].identity.officerNumber"),
        ("misspelt key", recorder(#""identity": {"serial": "A123456"}, "pasword": "", "recordings": []"#), "recorders[0].pasword"),
        ("size not a size", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": "lots"}]"#), "recorders[0].recordings[0].size"),
        ("unknown kind", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "movie", "path": "a", "size": 1}]"#), "recorders[0].recordings[0].kind"),
        ("two content sources", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": 1, "text": "x"}]"#), "recorders[0].recordings[0]"),
        ("bad time", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "video", "path": "a", "size": 1, "start": "yesterday"}]"#), "recorders[0].recordings[0].start"),
        ("duplicate id", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"id": 1, "kind": "video", "path": "a", "size": 1}, {"id": 1, "kind": "video", "path": "b", "size": 1}]"#), "recorders[0].recordings[1].id"),
        ("fault on a missing recording", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [], "faults": [{"kind": "wrongDeviceHash", "recording": 9}]"#), "recorders[0].faults[0].recording"),
        ("unknown fault", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [], "faults": [{"kind": "explode"}]"#), "recorders[0].faults[0].kind"),
        ("boolean where a number goes", recorder(#""identity": {"serial": "A123456"}, "password": "", "maxInFlight": true, "recordings": []"#), "recorders[0].maxInFlight"),
        ("bad link", recorder(#""identity": {"serial": "A123456"}, "password": "", "link": "usb9", "recordings": []"#), "recorders[0].link"),
        ("path too long for the payload", recorder(#""identity": {"serial": "A123456"}, "password": "", "maxPayload": 4096, "recordings": [{"kind": "video", "path": {"repeat": "A", "times": 10000}, "size": 1}]"#), "recorders[0].recordings[0].path"),
        ("event detail with CR", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "event-log", "path": "e", "events": [{"at": "2026-11-26T08:00:00+08:00", "type": "X", "detail": "a\rb"}]}]"#), "recorders[0].recordings[0].events[0].detail"),
        ("events out of order", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "event-log", "path": "e", "events": [{"at": "2026-11-26T08:00:00+08:00", "type": "X"}, {"at": "2026-11-26T07:00:00+08:00", "type": "Y"}]}]"#), "recorders[0].recordings[0].events"),
        ("port with a non-ASCII digit", recorder(#""identity": {"serial": "A123456"}, "password": "", "port": "1-½", "recordings": []"#), "recorders[0].port"),
        ("GPS latitude out of range", recorder(#""identity": {"serial": "A123456"}, "password": "", "recordings": [{"kind": "gps-log", "path": "g", "gps": {"lat": 91, "lon": 0}}]"#), "recorders[0].recordings[0].gps.lat"),
    ]

    static func recorder(_ body: String) -> String { #"{"schema": 1, "recorders": [{"# + body + "}]}" }

    @Test(arguments: bad.indices)
    func aBadScenarioNamesTheField(index: Int) {
        let (what, json, path) = Self.bad[index]
        do {
            _ = try Scenario(json: Data(json.utf8))
            Issue.record("\(what): accepted")
        } catch {
            #expect(error.path == path, "\(what): \(error)")
        }
    }

    @Test func sizesAcceptUnits() {
        #expect(parseSize("512KiB") == 524_288)
        #expect(parseSize("2GiB") == 2_147_483_648)
        #expect(parseSize("1.5GB") == 1_500_000_000)
        #expect(parseSize("4096") == 4096)
        #expect(parseSize("-1MB") == nil)
        #expect(parseSize("GB") == nil)
    }

    @Test func generatedContentIsTheSameAtAnyAlignment() {
        let g = ContentGenerator(seed: 7)
        let whole = g.bytes(offset: 0, count: 4096)
        for (start, count) in [(0, 1), (1, 7), (3, 100), (8, 8), (13, 2000), (4095, 1)] {
            #expect(g.bytes(offset: UInt64(start), count: count) == Array(whole[start..<(start + count)]), "at \(start)")
        }
        #expect(ContentGenerator(seed: 8).bytes(offset: 0, count: 64) != Array(whole[0..<64]))
    }

    @Test func nmeaSentencesCarryValidChecksums() throws {
        let text = String(decoding: LogContent.nmea(.init(startMilliseconds: 1_795_738_500_000, seconds: 3, latitude: 22.54, longitude: -114.05, talker: "GB")), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 6)
        for line in lines {
            let body = line.dropFirst().prefix { $0 != "*" }
            let sum = body.utf8.reduce(UInt8(0)) { $0 ^ $1 }
            #expect(line.hasSuffix("*" + String(format: "%02X", sum)), "\(line)")
        }
        #expect(lines[0].hasPrefix("$GBRMC,001500.000,A,2232.4000,N,11403.0000,W,"))
        #expect(lines[0].contains(",271126,"))
    }

    @Test func nmeaCoordinatesRoundIntoTheNextDegree() {
        let text = String(decoding: LogContent.nmea(.init(startMilliseconds: 0, seconds: 1, latitude: 39.99999999, longitude: 116.0, talker: "GP")), as: UTF8.self)
        #expect(text.hasPrefix("$GPRMC,000000.000,A,4000.0000,N,11600.0000,E,"), "\(text)")
    }

    @Test func eventLogLinesUseDeviceLocalTime() {
        let text = String(decoding: LogContent.eventLog([.init(atMilliseconds: 1_795_738_502_123, type: "POWER_ON"),
                                                         .init(atMilliseconds: 1_795_738_503_000, type: "GNSS_SYNC", detail: "correction_ms=-5")],
                                                        zoneOffsetMinutes: 480), as: UTF8.self)
        #expect(text == "2026-11-27T08:15:02.123+08:00 POWER_ON\n2026-11-27T08:15:03.000+08:00 GNSS_SYNC correction_ms=-5\n")
    }
}
