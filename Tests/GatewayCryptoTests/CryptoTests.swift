import GatewayCrypto
import Testing

@Suite struct SHA256Tests {
    @Test func knownDigestsMatchFIPS180Examples() {
        #expect(hexString(SHA256Hasher.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hexString(SHA256Hasher.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hashingInPiecesEqualsHashingAtOnce() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let h = SHA256Hasher()
        var i = 0
        for size in [1, 7, 64, 1000, 33_333] where i < data.count {
            h.update(data[i..<min(data.count, i + size)])
            i += size
        }
        h.update(data[i...])
        #expect(h.finalize() == SHA256Hasher.hash(data))
    }

    @Test func hmacMatchesRFC4231TestCase2() {
        let mac = hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(hexString(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hmacWithEmptyKeyIsDefined() {
        // RFC 2104 pads an empty key with zeros; a recorder with no password still gets a MAC.
        #expect(hexString(hmacSHA256(key: [UInt8](), message: [UInt8]())) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func randomBytesHaveTheLengthAskedForAndDiffer() throws {
        let a = try secureRandomBytes(32), b = try secureRandomBytes(32)
        #expect(a.count == 32 && b.count == 32 && a != b)
    }

    @Test func hexRoundTripsAndRejectsNonHex() {
        #expect(bytes(fromHex: "00ff7A") == [0x00, 0xFF, 0x7A])
        #expect(bytes(fromHex: "abc") == nil)
        #expect(bytes(fromHex: "zz") == nil)
        #expect(constantTimeEqual([1, 2], [1, 2]) && !constantTimeEqual([1, 2], [1, 3]) && !constantTimeEqual([1], [1, 2]))
    }
}
