/// A VFAT long name being assembled from its directory entries, which come last part first
/// (sequence n|0x40 down to 1), each carrying 13 UTF-16 units and the checksum of the 8.3 entry
/// they belong to. Anything out of order makes the name unusable: the 8.3 name is used instead.
struct FATLongName {
    private var units: [UInt16] = []
    private var parts = 0
    private var expected = 0
    private var checksum: UInt8 = 0
    private(set) var broken = false

    /// Whether entries have been taken since the last `finish` or `reset`.
    var isPending: Bool { parts > 0 || broken }

    /// Long names abandoned unfinished (a new one started before their 8.3 entry came), since
    /// the caller last cleared it.
    var lost = 0

    /// Takes one long-name entry (32 bytes).
    mutating func take(_ entry: ArraySlice<UInt8>) {
        let b = entry.startIndex
        let order = entry[b], sequence = Int(order & 0x1F)
        if order & 0x40 != 0 {
            if isPending { lost += 1 }
            reset()
            guard sequence >= 1, sequence <= 20 else { broken = true; parts = 1; return }
            units = Array(repeating: 0xFFFF, count: 13 * sequence)
            expected = sequence
            checksum = entry[b + 13]
        } else if parts == 0 || broken || sequence == 0 || sequence != expected || entry[b + 13] != checksum {
            broken = true
            parts += 1
            return
        }
        // Type 0 is the only long-name entry type defined.
        guard entry[b + 12] == 0 else { broken = true; parts += 1; return }
        var index = (sequence - 1) * 13
        for offset in stride(from: 1, to: 11, by: 2) { units[index] = u16(entry, b + offset); index += 1 }
        for offset in stride(from: 14, to: 26, by: 2) { units[index] = u16(entry, b + offset); index += 1 }
        for offset in stride(from: 28, to: 32, by: 2) { units[index] = u16(entry, b + offset); index += 1 }
        parts += 1
        expected = sequence - 1
    }

    /// The assembled name for the 8.3 entry whose raw 11 name bytes are `shortName`: `.name`
    /// when complete and its checksum matches, `.none` when there was no long name, `.broken`
    /// with why otherwise. Resets for the next entry.
    mutating func finish(shortName: ArraySlice<UInt8>) -> Outcome {
        defer { reset() }
        guard isPending else { return .none }
        guard !broken, expected == 0 else { return .broken("long-name entries out of sequence") }
        guard FATName.checksum(shortName) == checksum else { return .broken("long-name checksum does not match its 8.3 entry") }
        var end = units.firstIndex(of: 0) ?? units.count
        // Without a terminator the padding (0xFFFF) is not part of the name either.
        if end == units.count { while end > 0, units[end - 1] == 0xFFFF { end -= 1 } }
        let (text, unpaired) = UTF16Text.decode(units[0 ..< end])
        if text.isEmpty || text == "." || text == ".." || text.contains("/") || text.contains("\u{0}") {
            return .broken("long name \"\(text)\" cannot be a file name")
        }
        return .name(text, unpairedSurrogates: unpaired)
    }

    mutating func reset() {
        units = []
        parts = 0
        expected = 0
        broken = false
    }

    enum Outcome {
        case none
        case name(String, unpairedSurrogates: Int)
        case broken(String)
    }

    private func u16(_ e: ArraySlice<UInt8>, _ at: Int) -> UInt16 { UInt16(e[at]) | UInt16(e[at + 1]) << 8 }
}

/// UTF-16 as FAT and exFAT store names: decoded with each unpaired surrogate replaced by
/// U+FFFD and counted, so the caller can report it.
enum UTF16Text {
    static func decode(_ units: ArraySlice<UInt16>) -> (String, unpaired: Int) {
        var text = ""
        var unpaired = 0
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): text.unicodeScalars.append(scalar)
            case .emptyInput: break loop
            case .error:
                text.unicodeScalars.append("\u{FFFD}")
                unpaired += 1
            }
        }
        return (text, unpaired)
    }
}
