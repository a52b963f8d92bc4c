import Foundation
import GatewayCrypto
@testable import S3Store
import TestSupport
import Testing

@Suite struct MD5Tests {
    /// RFC 1321 appendix A.5, the test suite.
    static let rfc1321: [(String, String)] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ]

    @Test(arguments: 0..<rfc1321.count)
    func rfc1321TestSuite(index: Int) {
        let (message, digest) = Self.rfc1321[index]
        #expect(hexString(MD5.hash(Array(message.utf8))) == digest)
    }

    /// Lengths around the 55/56/64-byte padding boundaries, in pieces of every awkward size,
    /// against the one-shot digest and against md5sum, an independent implementation.
    @Test func paddingBoundariesAndPiecesAgreeWithMd5sum() throws {
        let data = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128, 1_000] {
            let bytes = Array(data.prefix(length))
            let whole = MD5.hash(bytes)
            var pieces = MD5()
            var i = 0
            for size in [1, 3, 60, 5, 64, 200] where i < bytes.count {
                pieces.update(bytes[i..<min(bytes.count, i + size)])
                i += size
            }
            if i < bytes.count { pieces.update(bytes[i...]) }
            #expect(pieces.finalize() == whole, "length \(length)")
            #expect(hexString(whole) == (try md5sum(bytes)), "length \(length)")
        }
    }

    @Test func largeInputAgreesWithMd5sum() throws {
        let bytes = testBytes((3 << 20) + 17, seed: 42)
        #expect(hexString(MD5.hash(bytes)) == (try md5sum(bytes)))
    }

    /// The `md5sum` of `bytes`.
    func md5sum(_ bytes: [UInt8]) throws -> String {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("input").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = try run("/usr/bin/md5sum", [path])
            try #require(result.status == 0, "md5sum failed: \(result.errorOutput)")
            return String(result.output.prefix(32))
        }
    }
}
