import AmbaASCIIFamily
import AmbaControlFamily
import Foundation
import RecorderHAL
import RecorderSimulator
import TestSupport
import Testing

/// A vendor dock's capture played back (`VendorReplay`), against captures written here by hand
/// from the issue's facts (amba-ctrl's control requests, amba-ascii's commands) and USB MSC BOT
/// 1.0's wrappers, not by our capture writer: the families' unmodified unlocks run against it,
/// requests are matched outside `<password>`, and nothing the capture lacks is made up.
@Suite struct VendorReplayTests {
    static func setup(_ type: String, _ request: String, _ length: Int) -> String {
        #"{"bmRequestType":"\#(type)","bRequest":"\#(request)","wValue":"0080","wIndex":"0000","wLength":\#(length)}"#
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined(separator: " ") }

    /// A CBW (BOT §5.1): tag 0x11223344, `length` bytes IN, `cdb`.
    static func cbw(_ cdb: [UInt8], length: UInt32) -> [UInt8] {
        [0x55, 0x53, 0x42, 0x43, 0x44, 0x33, 0x22, 0x11, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), 0, 0, 0x80, 0, UInt8(cdb.count)]
            + cdb + [UInt8](repeating: 0, count: 16 - cdb.count)
    }

    static let inquiry: [UInt8] = [0x12, 0, 0, 0, 36, 0]
    static let inquiryData = [UInt8](0..<36)
    static let recordedCSW: [UInt8] = [0x55, 0x53, 0x42, 0x53, 0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0, 0]

    /// An amba-ctrl dock: login (the password redacted), its result, disk mode, its result; the
    /// departure and the return as 1209:0003; then one INQUIRY with its 36 bytes.
    static let ambaControl = [
        #"{"format":"recorder-gateway-transfer-capture","version":1,"family":"amba-ctrl","port":"1-1.3","password":"<password>"}"#,
        #"{"event":"link","part":"unlock","link":"usb 1-1.3","usbSerial":"SER123"}"#,
        #"{"part":"unlock","transfer":"control","dir":"out","setup":\#(setup("40", "55", 64)),"length":64,"hex":"a1 12 00 12 <password>","status":"ok"}"#,
        #"{"part":"unlock","transfer":"control","dir":"in","setup":\#(setup("c0", "55", 10)),"length":10,"hex":"a1 55 01 00 00 00 00 00 00 00","status":"ok"}"#,
        #"{"part":"unlock","transfer":"control","dir":"out","setup":\#(setup("40", "50", 64)),"length":64,"hex":"a1 23 00 23\#(String(repeating: " 00", count: 60))","status":"ok"}"#,
        #"{"part":"unlock","transfer":"control","dir":"in","setup":\#(setup("c0", "55", 10)),"length":10,"hex":"a1 55 01 00 00 00 00 00 00 00","status":"ok"}"#,
        #"{"event":"departed","port":"1-1.3"}"#,
        #"{"event":"arrived","port":"1-1.3","usb":"1209:0003"}"#,
        #"{"event":"link","part":"storage","link":"usb 1-1.3 (storage)"}"#,
        #"{"part":"storage","transfer":"bulk","dir":"out","bot":"CBW","length":31,"hex":"\#(hex(cbw(inquiry, length: 36)))","status":"ok"}"#,
        #"{"part":"storage","transfer":"bulk","dir":"in","bot":"data","length":36,"data":"\#(Data(inquiryData).base64EncodedString())","status":"ok"}"#,
        #"{"part":"storage","transfer":"bulk","dir":"in","bot":"CSW","length":13,"hex":"\#(hex(recordedCSW))","status":"ok"}"#,
    ]

    static func replay(_ lines: [String], in dir: URL) throws -> VendorReplay {
        let path = dir.appendingPathComponent("dock.capture").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(VendorReplay.isVendorCapture(path))
        return try VendorReplay(capture: path, name: "replay-1")
    }

    @Test func amba_ctrlUnlocksAgainstTheCaptureWithAnyPasswordAndLeavesForTheRecordedDisk() async throws {
        try await withTemporaryDirectory("replay-ctrl") { dir in
            let replay = try Self.replay(Self.ambaControl, in: dir)
            #expect(replay.family == "amba-ctrl" && replay.hostEnd.serialNumber == "SER123")
            let report = await AmbaControlDriver().unlock(replay.hostEnd, request("a password never captured"))
            guard case .switching = report.outcome else { Issue.record("\(report)"); return }
            var left = false
            var disk: (any USBTransferLink)?
            for await event in replay.events {
                switch event {
                case .leftBus: left = true
                case .reappeared(let link, let vid, let pid, let port):
                    #expect(vid == 0x1209 && pid == 0x0003 && port == nil)
                    disk = link
                }
            }
            #expect(left)
            let storage = try #require(disk)
            // The recorded INQUIRY: its data, then its CSW with this command's tag.
            try await storage.bulkOut([0x55, 0x53, 0x42, 0x43, 9, 9, 9, 9] + Array(Self.cbw(Self.inquiry, length: 36)[8...]), timeout: .seconds(60))
            #expect(try await storage.bulkIn(length: 36, timeout: .seconds(60)) == Self.inquiryData)
            #expect(try await storage.bulkIn(length: 13, timeout: .seconds(60)) == [0x55, 0x53, 0x42, 0x53, 9, 9, 9, 9, 0, 0, 0, 0, 0])
            // A READ(10) of block 7 the capture never read: no data (the pipe stalls), CHECK
            // CONDITION, and REQUEST SENSE says MEDIUM ERROR 11/00 at block 7.
            try await storage.bulkOut(Self.cbw([0x28, 0, 0, 0, 0, 7, 0, 0, 1, 0], length: 512), timeout: .seconds(60))
            await #expect(throws: LinkError.stalled(endpoint: 0x81)) { try await storage.bulkIn(length: 512, timeout: .seconds(60)) }
            try await storage.clearHalt(.bulkIn, timeout: .seconds(60))
            let csw = try await storage.bulkIn(length: 13, timeout: .seconds(60))
            #expect(csw.count == 13 && csw[12] == 1 && Array(csw[8..<12]) == [0, 2, 0, 0])
            try await storage.bulkOut(Self.cbw([0x03, 0, 0, 0, 18, 0], length: 18), timeout: .seconds(60))
            let sense = try await storage.bulkIn(length: 18, timeout: .seconds(60))
            #expect(sense.count == 18 && sense[2] & 0x0F == 0x03 && sense[12] == 0x11 && Array(sense[3..<7]) == [0, 0, 0, 7])
        }
    }

    @Test func aRequestTheCaptureDoesNotHoldFailsNamingTheLineWithoutItsBytes() async throws {
        try await withTemporaryDirectory("replay-mismatch") { dir in
            let replay = try Self.replay(Self.ambaControl, in: dir)
            // A login with another head: not the recorded request, whatever the password.
            let packet: [UInt8] = [0xa1, 0x13, 0x00, 0x12] + Array("Pw7Secre".utf8) + [UInt8](repeating: 0, count: 52)
            do {
                _ = try await replay.hostEnd.control(requestType: 0x40, request: 0x55, value: 0x80, index: 0, data: packet, length: 0,
                                                     timeout: .seconds(60))
                Issue.record("a request the capture does not hold was answered")
            } catch {
                #expect("\(error)".contains("line 3 of the capture") && !"\(error)".contains("Pw7Secre"))
            }
            // Cut short: after the login and its answer, the disk-mode command is not there.
            let cut = try Self.replay(Array(Self.ambaControl.prefix(4)), in: dir)
            let report = await AmbaControlDriver().unlock(cut.hostEnd, request())
            guard case .failed(let error) = report.outcome else { Issue.record("\(report)"); return }
            #expect("\(error)".contains("the capture holds no control OUT"))
        }
    }

    @Test func amba_asciiClockCommandsMatchWhateverTimeTheyCarry() async throws {
        try await withTemporaryDirectory("replay-ascii") { dir in
            func bulk(_ dir: String, _ text: String, _ hex: String? = nil) -> String {
                let h = hex ?? Self.hex(Array(text.utf8))
                let length = text.replacingOccurrences(of: "<password>", with: "12345678").utf8.count
                return #"{"part":"unlock","transfer":"bulk","dir":"\#(dir)","length":\#(length),"text":"\#(text)","hex":"\#(h)","status":"ok"}"#
            }
            func redacted(_ head: String) -> String { Self.hex(Array(head.utf8)) + " <password> 3b 23" }
            let lines = [
                #"{"format":"recorder-gateway-transfer-capture","version":1,"family":"amba-ascii","port":"1-1.2","password":"<password>"}"#,
                bulk("out", "@Ver;8;00000000;#"), bulk("in", "@Ver;OK;V1#"),
                bulk("out", "@Gdv;8;<password>;#", redacted("@Gdv;8;")), bulk("in", "@Gdv;8;CAM-9#"),
                // Recorded on another day, at another time.
                bulk("out", "@Sdt;8;20250101;#"), bulk("in", "@Sdt;OK#"),
                bulk("out", "@Stm;6;01020300;#"), bulk("in", "@Stm;OK#"),
                bulk("out", "@ATH;8;<password>;#", redacted("@ATH;8;")), bulk("in", "@ATH;OK#"),
                #"{"event":"departed","port":"1-1.2"}"#,
            ]
            let replay = try Self.replay(lines, in: dir)
            let report = await AmbaASCIIDriver().unlock(replay.hostEnd, request())
            guard case .switching = report.outcome else { Issue.record("\(report)"); return }
            #expect(report.deviceId == "CAM-9")
            var events: [String] = []
            for await event in replay.events { events.append("\(event)") }
            // It left; it never came back in the capture, so nothing reappears.
            #expect(events == ["leftBus"])
        }
    }
}
