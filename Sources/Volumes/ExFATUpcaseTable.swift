/// The volume's up-case table (§7.2): how file names are compared and hashed. Code units past
/// the table's end map to themselves.
struct ExFATUpcaseTable: Sendable {
    private var map: [UInt16]

    /// The most bytes an up-case table can usefully hold: every UTF-16 code unit, uncompressed.
    static let largestTable = 65_536 * 2

    /// Expands a table as stored: a 0xFFFF followed by a count N says the next N code units
    /// map to themselves (the specification's compressed form); any other value is the mapping
    /// of the next code unit. Entries past 65 536 are ignored.
    init(stored bytes: [UInt8]) {
        var map = [UInt16]()
        map.reserveCapacity(65_536)
        var index = 0
        while index + 1 < bytes.count, map.count < 65_536 {
            let value = ExFATLE.u16(bytes, index)
            index += 2
            if value == 0xFFFF, index + 1 < bytes.count {
                let run = Int(ExFATLE.u16(bytes, index))
                index += 2
                let end = min(65_536, map.count + run)
                while map.count < end { map.append(UInt16(map.count)) }
            } else {
                map.append(value)
            }
        }
        self.map = map
    }

    func upcase(_ unit: UInt16) -> UInt16 { Int(unit) < map.count ? map[Int(unit)] : unit }

    /// The table checksum (§7.2.2) of the stored bytes.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 0
        for byte in bytes { checksum = (checksum >> 1 | checksum << 31) &+ UInt32(byte) }
        return checksum
    }

    /// The Stream Extension's NameHash (§7.6.4) of a name: each up-cased code unit, low byte
    /// then high byte, into a 16-bit rotating sum.
    func nameHash(_ name: [UInt16]) -> UInt16 {
        var hash: UInt16 = 0
        for unit in name {
            let upper = upcase(unit)
            hash = (hash >> 1 | hash << 15) &+ (upper & 0xFF)
            hash = (hash >> 1 | hash << 15) &+ (upper >> 8)
        }
        return hash
    }
}
