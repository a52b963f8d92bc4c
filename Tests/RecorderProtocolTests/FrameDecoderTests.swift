import RecorderProtocol
import TestSupport
import Testing

@Suite struct FrameDecoderChunkingTests {
    static let frames = SampleFrames.all(authMAC: anyMAC).map(\.1)
        + [Frame.reply(ReadReply(id: 9, offset: 0, data: ArraySlice((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })), tag: 99)]
    static let stream = frames.flatMap { $0.encoded() }

    func decodeAll(_ chunks: [ArraySlice<UInt8>]) throws -> [Frame] {
        var decoder = FrameDecoder(maximumPayload: 1 << 20)
        var out: [Frame] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let f = try decoder.next() { out.append(f) }
        }
        try decoder.finish()
        return out
    }

    @Test func byteByByteGivesTheSameFrames() throws {
        let chunks = Self.stream.indices.map { Self.stream[$0...$0] }
        #expect(try decodeAll(chunks) == Self.frames)
    }

    @Test func randomChunkingsGiveTheSameFrames() throws {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<200 {
            var chunks: [ArraySlice<UInt8>] = []
            var i = 0
            while i < Self.stream.count {
                let n = Int.random(in: 1...4096, using: &rng)
                chunks.append(Self.stream[i..<min(Self.stream.count, i + n)])
                i += n
            }
            #expect(try decodeAll(chunks) == Self.frames)
        }
    }

    @Test func wholeStreamAtOnceGivesTheSameFrames() throws {
        #expect(try decodeAll([Self.stream[...]]) == Self.frames)
    }
}

@Suite struct FrameDecoderErrorTests {
    static let good = Frame.request(ReadRequest(id: 1, offset: 0, length: 16), tag: 5).encoded()
    static let next = Frame.request(StatusRequest(), tag: 6)

    /// Re-computes the header check after an edit, so that only the intended field is wrong.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let crc = CRC32C.checksum(b[0..<24])
        withUnsafeBytes(of: crc.littleEndian) { for (i, x) in $0.enumerated() { b[24 + i] = x } }
        return b
    }

    static func edited(_ edit: (inout [UInt8]) -> Void, reseal: Bool = true) -> [UInt8] {
        var b = good
        edit(&b)
        return reseal ? resealed(b) : b
    }

    static let cases: [(String, [UInt8], FrameError)] = [
        ("bad magic", edited({ $0[0] = 0x58 }, reseal: false), .badMagic(found: [0x58, 0x46, 0x59, 0x52])),
        ("header check", edited({ $0[8] ^= 1 }, reseal: false),
         .headerCheckMismatch(stored: CRC32C.checksum(good[0..<24]), computed: CRC32C.checksum(edited({ $0[8] ^= 1 }, reseal: false)[0..<24]))),
        ("version 2", edited({ $0[4] = 2 }), .unsupportedVersion(2)),
        ("payload over maximum", edited({ $0[16] = 0x01; $0[17] = 0x10 }), .payloadTooLarge(length: 0x1001, maximum: 4096, tag: 5)),
        ("unknown opcode", edited({ $0[5] = 0x7E }), .unknownOpcode(0x7E, tag: 5, payloadLength: 16)),
        ("payload check", edited({ $0[30] ^= 0x40 }, reseal: false),
         .payloadCheckMismatch(opcode: .read, tag: 5, stored: CRC32C.checksum(good[28...]), computed: CRC32C.checksum(edited({ $0[30] ^= 0x40 }, reseal: false)[28...]))),
    ]

    @Test(arguments: cases.indices)
    func malformedInputGivesItsSpecificError(index: Int) {
        let (name, bytes, expected) = Self.cases[index]
        var decoder = FrameDecoder()
        decoder.append(bytes)
        #expect(throws: expected, "\(name)") { _ = try decoder.next() }
    }

    @Test func afterARecoverableErrorTheNextFrameStillDecodes() throws {
        for (name, bytes, error) in Self.cases where error.isRecoverable {
            var decoder = FrameDecoder()
            decoder.append(bytes + Self.next.encoded())
            #expect(throws: error, "\(name)") { _ = try decoder.next() }
            #expect(try decoder.next() == Self.next, "\(name)")
        }
    }

    @Test func afterAnOutOfStepErrorTheDecoderKeepsFailingUntilReset() throws {
        for (name, bytes, error) in Self.cases where !error.isRecoverable {
            var decoder = FrameDecoder()
            decoder.append(bytes + Self.next.encoded())
            #expect(throws: error, "\(name)") { _ = try decoder.next() }
            #expect(throws: error, "\(name)") { _ = try decoder.next() }
            decoder.reset()
            decoder.append(Self.next.encoded())
            #expect(try decoder.next() == Self.next)
        }
    }

    @Test func streamEndingInsideAFrameIsTruncation() throws {
        var decoder = FrameDecoder()
        decoder.append(Self.good.prefix(40))
        #expect(try decoder.next() == nil)
        #expect(throws: FrameError.truncated(have: 40, need: 44)) { try decoder.finish() }

        var headerOnly = FrameDecoder()
        headerOnly.append(Self.good.prefix(10))
        #expect(throws: FrameError.truncated(have: 10, need: 28)) { try headerOnly.finish() }
    }

    @Test func anUnknownOpcodeFrameIsSkippedEvenWhenItsPayloadArrivesLater() throws {
        let unknown = Self.edited { $0[5] = 0x7E }
        var decoder = FrameDecoder()
        decoder.append(unknown.prefix(30))
        #expect(throws: FrameError.unknownOpcode(0x7E, tag: 5, payloadLength: 16)) { _ = try decoder.next() }
        decoder.append(unknown.dropFirst(30))
        decoder.append(Self.next.encoded())
        #expect(try decoder.next() == Self.next)
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 947)
        for round in 0..<3000 {
            var decoder = FrameDecoder(maximumPayload: 1 << 16)
            // Half the rounds start with a valid header so the payload paths are exercised too.
            var bytes = round % 2 == 0 ? Array(Self.good.prefix(28)) : []
            bytes += (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            decoder.append(bytes)
            for _ in 0..<4 { _ = try? decoder.next() }
            _ = try? decoder.finish()
        }
    }
}
