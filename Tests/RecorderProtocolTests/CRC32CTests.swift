import RecorderProtocol
import Testing

@Suite struct CRC32CTests {
    @Test func standardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// RFC 3720 (iSCSI) appendix B.4 test patterns.
    @Test func rfc3720Patterns() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test func incrementalEqualsOneShotAtEverySplit() {
        let data = (0..<97).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 7) }
        let whole = CRC32C.checksum(data)
        for split in 0...data.count {
            var c = CRC32C()
            c.update(data[..<split])
            c.update(data[split...])
            #expect(c.value == whole, "split at \(split)")
        }
    }

    @Test func detectsEverySingleBitFlip() {
        var data = (0..<64).map { UInt8($0) }
        let good = CRC32C.checksum(data)
        for bit in 0..<(data.count * 8) {
            data[bit / 8] ^= 1 << (bit % 8)
            #expect(CRC32C.checksum(data) != good)
            data[bit / 8] ^= 1 << (bit % 8)
        }
    }
}
