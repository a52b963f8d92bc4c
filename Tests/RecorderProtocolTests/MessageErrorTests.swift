import RecorderProtocol
import TestSupport
import Testing

@Suite struct MessageErrorTests {
    static func identity(serial: String = "A100001", officer: String = "010001", unit: String = "110105000000") -> [UInt8] {
        IdentityReply(serial: serial, model: "M", firmware: "F", officerNumber: officer, officerName: "",
                      unitNumber: unit, unitName: "", hardwareId: "").encoded()
    }

    static func withString(_ raw: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.lengthPrefixed(Array("A100001".utf8))
        w.lengthPrefixed(raw) // model
        for _ in 0..<6 { w.u16(0) }
        return w.buffer
    }

    /// (what is wrong, decode, the field the error must name)
    static let cases: [(String, @Sendable () throws -> Void, String)] = [
        ("serial of 8 characters", { _ = try IdentityReply(payload: identity(serial: "A1000012")) }, "serial"),
        ("serial of 6 characters", { _ = try IdentityReply(payload: identity(serial: "A10000")) }, "serial"),
        ("serial with punctuation", { _ = try IdentityReply(payload: identity(serial: "A1-0001")) }, "serial"),
        ("officer number of 5", { _ = try IdentityReply(payload: identity(officer: "01001")) }, "officerNumber"),
        ("unit number of 11", { _ = try IdentityReply(payload: identity(unit: "11010500000")) }, "unitNumber"),
        ("invalid UTF-8", { _ = try IdentityReply(payload: withString([0xC3, 0x28])) }, "model"),
        ("NUL inside a string", { _ = try IdentityReply(payload: withString([0x41, 0x00, 0x42])) }, "model"),
        ("identity cut short", { _ = try IdentityReply(payload: Array(identity().prefix(12))) }, "firmware"),
        ("trailing bytes", { _ = try StatusRequest(payload: [0]) }, "payload"),
        ("battery 120%", { _ = try StatusReply(payload: StatusReply(battery: 120, charging: false, recording: false, storageTotal: 1, storageFree: 0, temperatureDeciCelsius: 0).encoded()) }, "battery"),
        ("free above total", { _ = try StatusReply(payload: StatusReply(battery: 1, charging: false, recording: false, storageTotal: 1, storageFree: 2, temperatureDeciCelsius: 0).encoded()) }, "storageFree"),
        ("zone offset 15 h", { _ = try ClockGetReply(payload: ClockGetReply(time: DeviceTime(utcMilliseconds: 0, zoneOffsetMinutes: 900)).encoded()) }, "zoneOffsetMinutes"),
        ("HELLO maxInFlight 0", { _ = try HelloReply(payload: HelloReply(maxPayload: 8192, maxInFlight: 0, capabilities: []).encoded()) }, "maxInFlight"),
        ("HELLO maxPayload 100", { _ = try HelloReply(payload: HelloReply(maxPayload: 100, maxInFlight: 1, capabilities: []).encoded()) }, "maxPayload"),
        ("HELLO versions reversed", { _ = try HelloRequest(payload: HelloRequest(minVersion: 2, maxVersion: 1, maxPayload: 4096, hostName: "").encoded()) }, "minVersion"),
        ("catalog count larger than the payload", { _ = try CatalogPage(payload: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) }, "count"),
        ("catalog entry with an empty path", {
            var e = SampleFrames.entry
            e.pathBytes = []
            _ = try CatalogPage(payload: CatalogPage(nextCursor: 1, entries: [e]).encoded())
        }, "entries[0].path"),
        ("READ of length 0", { _ = try ReadRequest(payload: ReadRequest(id: 1, offset: 0, length: 0).encoded()) }, "length"),
        ("nonce of 31 bytes", { _ = try AuthChallengeReply(payload: [UInt8](repeating: 0, count: 31)) }, "nonce"),
        ("RELEASE without a full hash", { _ = try ReleaseRequest(payload: [1, 0, 0, 0, 9]) }, "sha256"),
    ]

    @Test(arguments: cases.indices)
    func malformedPayloadNamesTheField(index: Int) {
        let (what, decode, field) = Self.cases[index]
        do {
            try decode()
            Issue.record("\(what): decoded without error")
        } catch let error as MessageError {
            #expect(error.field == field, "\(what): \(error)")
            #expect(error.description.contains(field))
        } catch {
            Issue.record("\(what): unexpected error \(error)")
        }
    }

    @Test func hostilePathBytesArePreservedExactly() throws {
        for path in ["../../etc/passwd", "/etc/shadow", "A\u{0}B.MP4", String(repeating: "x", count: 10_000)] {
            var e = SampleFrames.entry
            e.pathBytes = Array(path.utf8)
            let page = try CatalogPage(payload: CatalogPage(nextCursor: CatalogPage.end, entries: [e]).encoded())
            #expect(page.entries[0].pathBytes == Array(path.utf8))
        }
        var invalid = SampleFrames.entry
        invalid.pathBytes = [0x41, 0xFF, 0x42]
        let page = try CatalogPage(payload: CatalogPage(nextCursor: CatalogPage.end, entries: [invalid]).encoded())
        #expect(page.entries[0].pathBytes == [0x41, 0xFF, 0x42])
        #expect(page.entries[0].path == "A\u{FFFD}B")
    }

    @Test func randomPayloadsNeverTrapAnyMessageDecoder() {
        var rng = SplitMix64(seed: 31)
        for _ in 0..<2000 {
            let p = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? HelloRequest(payload: p); _ = try? HelloReply(payload: p)
            _ = try? IdentityReply(payload: p); _ = try? StatusReply(payload: p)
            _ = try? CatalogPage(payload: p); _ = try? CatalogRequest(payload: p)
            _ = try? ReadRequest(payload: p); _ = try? ReadReply(payload: p)
            _ = try? ReleaseRequest(payload: p); _ = try? ClockGetReply(payload: p)
            _ = try? ClockSetRequest(payload: p); _ = try? AuthResponseRequest(payload: p)
            _ = ErrorDetail(payload: p)
        }
    }
    /// Found by Tools/fuzz messages (reproducer in its corpus, error-detail-replacement-overflow):
    /// 95 invalid bytes became 95 U+FFFD, 285 bytes of UTF-8, which encoding cut to 256 bytes
    /// inside a scalar, so the detail did not survive a round trip.
    @Test func anErrorDetailWithInvalidUTF8SurvivesEncoding() {
        let payload: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0xFF, count: 95) + [0, 0, 0]
        let detail = ErrorDetail(payload: payload)
        #expect(detail.message.utf8.count <= ErrorDetail.maxMessageBytes)
        #expect(detail.message.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
        #expect(ErrorDetail(payload: detail.encoded()) == detail)
    }

    @Test func anOverlongErrorMessageIsCutBetweenScalars() {
        let detail = ErrorDetail(value: 1, message: String(repeating: "执", count: 100))
        let encoded = detail.encoded()
        #expect(encoded.count == 4 + 255)
        #expect(ErrorDetail(payload: encoded).message == String(repeating: "执", count: 85))
    }
}
