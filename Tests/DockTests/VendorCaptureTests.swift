import Dock
import Foundation
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// `recorderctl capture BAY` on a vendor recorder's bay (`Gateway.armCapture`, then the dance):
/// the capture file holds the unlock's transfers in order, then the mass-storage wrappers and
/// data phases, and never the password, in any form. The expected bytes are the issue's facts, written here.
@Suite struct VendorCaptureTests {
    static let password = VendorDockTests.password

    /// Docks a `family` recorder with the next dock in its bay armed for capture; returns the
    /// outcome, the capture's lines (parsed) and its raw bytes.
    static func captured(_ family: String, vendor: String = "{}", devicePassword: String = VendorCaptureTests.password,
                         in dir: URL) async throws -> (DockOutcome, [[String: Any]], Data) {
        let image = try TestImage.make("fat12", in: dir)
        let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
        let path = dir.appendingPathComponent("bay.capture").path
        await kiosk.gateway.armCapture(port: "1-1.2", path: path)
        let out = try await VendorDockTests.dock(kiosk, try VendorDockTests.recorder(family, image: image.url, password: devicePassword,
                                                                                      vendor: vendor))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        return (out, lines, data)
    }

    /// Every form the password could take in the file: its text, its bytes in hex (compact and
    /// spaced, either case), base64 (at each of the three alignments), and its first six
    /// characters (an echo of part of it).
    static func forms(_ password: String) -> [String] {
        let bytes = Array(password.utf8)
        let hex = bytes.map { String(format: "%02x", $0) }
        var forms = [password, String(password.prefix(6)), hex.joined(), hex.joined(separator: " "),
                     hex.joined().uppercased(), hex.joined(separator: " ").uppercased()]
        for pad in 0..<3 {
            // The base64 of the password after `pad` other bytes: its middle characters do not
            // depend on what surrounds it.
            let b64 = Data([UInt8](repeating: 0x20, count: pad) + bytes).base64EncodedString()
            forms.append(String(b64.dropFirst(4).prefix(8)))
        }
        return forms
    }

    static func assertNoPassword(_ data: Data, _ password: String) {
        let text = String(decoding: data, as: UTF8.self)
        for form in forms(password) {
            #expect(!text.contains(form), "the capture holds the password as \(form.count) characters of some form")
        }
    }

    static func transfers(_ lines: [[String: Any]], part: String) -> [[String: Any]] {
        lines.filter { $0["transfer"] != nil && $0["part"] as? String == part }
    }

    @Test func anAmbaASCIIDockIsCapturedStepByStepWithoutThePassword() async throws {
        try await withTemporaryDirectory("capture-ascii") { dir in
            let (out, lines, data) = try await Self.captured("amba-ascii", vendor: #"{"deviceId": "CAM-7"}"#, in: dir)
            #expect(out.dance?.code == "returned" && out.result == .completed)
            let header = try #require(lines.first)
            #expect(header["format"] as? String == "recorder-gateway-transfer-capture" && header["version"] as? Int == 1)
            #expect(header["family"] as? String == "amba-ascii" && header["port"] as? String == "1-1.2")
            let unlock = Self.transfers(lines, part: "unlock")
            // Each command a bulk OUT, each answered by a bulk IN, in the issue's order.
            #expect(unlock.map { $0["dir"] as? String ?? "" } == ["out", "in", "out", "in", "out", "in", "out", "in", "out", "in"])
            let sent = unlock.filter { $0["dir"] as? String == "out" }.map { $0["text"] as? String ?? "" }
            #expect(sent.count == 5)
            #expect(sent[0] == "@Ver;8;00000000;#" && sent[1] == "@Gdv;8;<password>;#" && sent[4] == "@ATH;8;<password>;#")
            #expect(sent[2].hasPrefix("@Sdt;8;") && sent[3].hasPrefix("@Stm;6;"))
            #expect(unlock[1]["text"] as? String == "@Ver;OK;SIM1#" && unlock[1]["asked"] as? Int == 512)
            #expect(unlock[3]["text"] as? String == "@Gdv;8;CAM-7#")
            // The real length is kept: the command carried 8 password bytes.
            #expect(unlock[2]["length"] as? Int == 17 && unlock[2]["status"] as? String == "ok")
            #expect(unlock[2]["hex"] as? String == "40 47 64 76 3b 38 3b <password> 3b 23")
            #expect(unlock.allSatisfy { $0["t"] is Double && $0["ms"] is Double })
            try Self.expectTheStoragePart(lines)
            Self.assertNoPassword(data, Self.password)
        }
    }

    @Test func anAmbaControlDockIsCapturedStepByStepWithoutThePassword() async throws {
        try await withTemporaryDirectory("capture-ctrl") { dir in
            let (out, lines, data) = try await Self.captured("amba-ctrl", in: dir)
            #expect(out.dance?.code == "returned" && out.result == .completed)
            let unlock = Self.transfers(lines, part: "unlock")
            #expect(unlock.count == 4 && unlock.allSatisfy { $0["transfer"] as? String == "control" })
            func setup(_ i: Int) -> [String: Any] { unlock[i]["setup"] as? [String: Any] ?? [:] }
            // Login: 40/55 wValue 0080 wIndex 0, 64 bytes `a1 12 00 12` + the password, hidden
            // with its zero padding (the padding would tell its length).
            #expect(setup(0)["bmRequestType"] as? String == "40" && setup(0)["bRequest"] as? String == "55")
            #expect(setup(0)["wValue"] as? String == "0080" && setup(0)["wIndex"] as? String == "0000" && setup(0)["wLength"] as? Int == 64)
            #expect(unlock[0]["dir"] as? String == "out" && unlock[0]["length"] as? Int == 64)
            #expect(unlock[0]["hex"] as? String == "a1 12 00 12 <password>")
            // The result: C0/55, 10 bytes, byte 2 = 1.
            #expect(setup(1)["bmRequestType"] as? String == "c0" && setup(1)["wLength"] as? Int == 10 && unlock[1]["length"] as? Int == 10)
            #expect((unlock[1]["hex"] as? String)?.split(separator: " ").dropFirst(2).first == "01")
            // Disk mode: 40/50, `a1 23 00 23` and zeros, then its result.
            #expect(setup(2)["bRequest"] as? String == "50")
            #expect(unlock[2]["hex"] as? String == "a1 23 00 23" + String(repeating: " 00", count: 60))
            #expect(setup(3)["bmRequestType"] as? String == "c0")
            try Self.expectTheStoragePart(lines)
            Self.assertNoPassword(data, Self.password)
        }
    }

    /// A device that gives the password back: its reply is in the capture, the password not.
    @Test(arguments: ["amba-ascii", "amba-ctrl"])
    func anEchoedPasswordIsNotCaptured(family: String) async throws {
        try await withTemporaryDirectory("capture-echo") { dir in
            // amba-ctrl echoes on a refusing login: the device's own password differs.
            let (out, lines, data) = try await Self.captured(family, vendor: #"{"faults": [{"kind": "echoPassword"}]}"#,
                                                             devicePassword: family == "amba-ctrl" ? "other" : Self.password, in: dir)
            #expect(out.dance?.collects == false)
            #expect(Self.transfers(lines, part: "unlock").filter { $0["dir"] as? String == "in" }.contains {
                ($0["hex"] as? String)?.contains("<password>") == true
            })
            Self.assertNoPassword(data, Self.password)
        }
    }

    /// After the unlock: the bus events, then Bulk-Only Transport's wrappers whole and the data
    /// between them whole (base64); the dance's end and the dock's.
    static func expectTheStoragePart(_ lines: [[String: Any]]) throws {
        let events = lines.compactMap { $0["event"] as? String }
        #expect(events.first == "link" && events.last == "dock-ended")
        let order = ["departed", "arrived", "dance-ended", "dock-ended"].map { e in events.firstIndex(of: e) ?? -1 }
        #expect(order.allSatisfy { $0 >= 0 } && order == order.sorted(), "events \(events)")
        let storage = transfers(lines, part: "storage").filter { $0["transfer"] as? String == "bulk" }
        let cbws = storage.filter { $0["bot"] as? String == "CBW" }
        let csws = storage.filter { $0["bot"] as? String == "CSW" }
        let data = storage.filter { $0["bot"] as? String == "data" }
        #expect(!cbws.isEmpty && cbws.count == csws.count && !data.isEmpty)
        #expect(cbws.allSatisfy { ($0["hex"] as? String)?.hasPrefix("55 53 42 43") == true && $0["length"] as? Int == 31 })
        #expect(csws.allSatisfy { ($0["hex"] as? String)?.hasPrefix("55 53 42 53") == true && $0["length"] as? Int == 13 })
        // Every data phase whole, in base64 (a replay serves the disk from them), never as hex
        // or text; one of them is the FAT boot sector, with its 55 AA signature at 510.
        let phases = data.map { ($0["data"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
        #expect(zip(data, phases).allSatisfy { $0["hex"] == nil && $0["text"] == nil && $1 != nil && $1?.count == $0["length"] as? Int })
        #expect(phases.contains { $0.map { $0.count >= 512 && $0[510] == 0x55 && $0[511] == 0xAA } == true })
        // The first command is a CBW: the wrapper comes before its data.
        #expect(storage.first?["bot"] as? String == "CBW")
    }
}
