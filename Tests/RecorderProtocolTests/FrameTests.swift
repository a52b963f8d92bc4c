import Foundation
import RecorderProtocol
import Testing

/// A fixed MAC for frame-level tests (the real one is checked in the golden vectors).
let anyMAC = [UInt8](repeating: 0x5C, count: 32)

@Suite struct FrameRoundTripTests {
    @Test(arguments: SampleFrames.all(authMAC: anyMAC).map(\.0))
    func everyFrameDecodesToItself(name: String) throws {
        let frame = SampleFrames.all(authMAC: anyMAC).first { $0.0 == name }!.1
        var decoder = FrameDecoder(maximumPayload: 1 << 20)
        decoder.append(frame.encoded())
        #expect(try decoder.next() == frame)
        #expect(try decoder.next() == nil)
        try decoder.finish()
    }

    @Test func everyMessageDecodesToItself() throws {
        for (name, frame) in SampleFrames.all(authMAC: anyMAC) where frame.status == .ok {
            let p = frame.payload
            let ok: Bool
            switch (frame.opcode, frame.isResponse) {
            case (.hello, false): ok = try HelloRequest(payload: p).encoded() == p
            case (.hello, true): ok = try HelloReply(payload: p).encoded() == p
            case (.identity, false): ok = try IdentityRequest(payload: p).encoded() == p
            case (.identity, true): ok = try IdentityReply(payload: p).encoded() == p
            case (.authChallenge, false): ok = try AuthChallengeRequest(payload: p).encoded() == p
            case (.authChallenge, true): ok = try AuthChallengeReply(payload: p).encoded() == p
            case (.authResponse, false): ok = try AuthResponseRequest(payload: p).encoded() == p
            case (.authResponse, true): ok = try AuthResponseReply(payload: p).encoded() == p
            case (.clockGet, false): ok = try ClockGetRequest(payload: p).encoded() == p
            case (.clockGet, true): ok = try ClockGetReply(payload: p).encoded() == p
            case (.clockSet, false): ok = try ClockSetRequest(payload: p).encoded() == p
            case (.clockSet, true): ok = try ClockSetReply(payload: p).encoded() == p
            case (.status, false): ok = try StatusRequest(payload: p).encoded() == p
            case (.status, true): ok = try StatusReply(payload: p).encoded() == p
            case (.catalog, false): ok = try CatalogRequest(payload: p).encoded() == p
            case (.catalog, true): ok = try CatalogPage(payload: p) == CatalogPage(nextCursor: CatalogPage.end, entries: [SampleFrames.entry])
            case (.read, false): ok = try ReadRequest(payload: p).encoded() == p
            case (.read, true): ok = try ReadReply(payload: p).encoded() == p
            case (.release, false): ok = try ReleaseRequest(payload: p).encoded() == p
            case (.release, true): ok = try ReleaseReply(payload: p).encoded() == p
            }
            #expect(ok, "\(name)")
        }
    }

    @Test func errorDetailRoundTripsAndToleratesAnEmptyPayload() {
        let d = ErrorDetail(value: 7, message: "卡满 storage full")
        #expect(ErrorDetail(payload: d.encoded()) == d)
        #expect(ErrorDetail(payload: []) == ErrorDetail())
        #expect(ErrorDetail(payload: [1, 0]) == ErrorDetail())
    }

    @Test func readReplyFastPathEqualsGenericEncoding() {
        let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0) }
        let fast = data.withUnsafeBytes { ReadReply.frameBytes(tag: 77, id: 3, offset: 4096, data: $0) }
        let generic = Frame.reply(ReadReply(id: 3, offset: 4096, data: data[...]), tag: 77).encoded()
        #expect(fast == generic)
    }

    @Test func unknownStatusAndKindAreKeptByNumber() {
        #expect(Status(rawValue: 0x1234).description == "status 0x1234")
        #expect(RecordingKind(rawValue: 42).description == "kind-42")
        #expect(RecordingKind(name: "gps-log") == .gpsLog)
    }
}

@Suite struct GoldenVectorTests {
    /// Docs/protocol.md beside the package, found from this file's path.
    static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Docs/protocol.md").path

    /// `<!-- vector: NAME -->` followed by a ```hex block: NAME → bytes.
    static func vectors() throws -> [String: [UInt8]] {
        let text = try String(contentsOfFile: specPath, encoding: .utf8)
        var result: [String: [UInt8]] = [:]
        let parts = text.components(separatedBy: "<!-- vector: ").dropFirst()
        for part in parts {
            guard let end = part.range(of: " -->") else { continue }
            let name = String(part[..<end.lowerBound])
            guard let open = part.range(of: "```hex"), let close = part.range(of: "```", range: open.upperBound..<part.endIndex) else { continue }
            let hex = part[open.upperBound..<close.lowerBound].filter { !$0.isWhitespace }
            var bytes: [UInt8] = []
            var i = hex.startIndex
            while i < hex.endIndex {
                let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
                guard let b = UInt8(hex[i..<j], radix: 16) else { throw SpecError(text: "vector \(name): bad hex") }
                bytes.append(b)
                i = j
            }
            result[name] = bytes
        }
        return result
    }

    struct SpecError: Error { var text: String }

    @Test func everyFrameInTheSpecMatchesTheEncoderAndTheDecoder() throws {
        let vectors = try Self.vectors()
        // The AUTH_RESPONSE vector's MAC is HMAC-SHA256("000000", 00..1F); take it from the
        // spec's own bytes (payload of auth-response-request) and check it in RecorderSimulatorTests.
        let mac = Array((vectors["auth-response-request"] ?? []).dropFirst(FrameHeader.size))
        for (name, frame) in SampleFrames.all(authMAC: mac) {
            let spec = try #require(vectors[name], "Docs/protocol.md has no vector \(name)")
            #expect(frame.encoded() == spec, "vector \(name)")
            var decoder = FrameDecoder(maximumPayload: 1 << 20)
            decoder.append(spec)
            #expect(try decoder.next() == frame, "vector \(name)")
        }
        #expect(vectors.count == SampleFrames.all(authMAC: mac).count, "the spec has vectors the tests do not know")
    }
}
