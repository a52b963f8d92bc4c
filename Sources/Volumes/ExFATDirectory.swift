/// One exFAT directory's entries (§6, §7), as found in its bytes: the file entry sets in
/// order, the root directory's system entries, and what was malformed.
struct ExFATDirectory: Sendable {
    /// A File entry set (§7.4 File, §7.6 Stream Extension, §7.7 File Name).
    struct FileSet: Sendable {
        /// The name's UTF-16 code units (NameLength of them, or fewer when the set was short).
        var name: [UInt16]
        var attributes: UInt16
        var created: VolumeTimestamp?
        var modified: VolumeTimestamp?
        /// The Stream Extension's NoFatChain flag: the allocation is one contiguous run.
        var noFatChain: Bool
        var nameHash: UInt16
        var validDataLength: UInt64
        var firstCluster: UInt32
        var dataLength: UInt64
        var setChecksumMatches: Bool
        /// The set held fewer File Name entries than NameLength needs.
        var nameTruncated: Bool
        /// Where the set starts in the directory, for messages.
        var entryIndex: Int

        var isDirectory: Bool { attributes & 0x10 != 0 }
    }

    enum Entry: Sendable {
        case file(FileSet)
        case allocationBitmap(firstCluster: UInt32, dataLength: UInt64, secondBitmap: Bool)
        case upcaseTable(firstCluster: UInt32, dataLength: UInt64, checksum: UInt32)
        /// The label's code units (CharacterCount of them, at most 11).
        case volumeLabel([UInt16])
    }

    var entries: [Entry] = []
    /// Malformed entries, each as (code, detail).
    var problems: [(code: String, detail: String)] = []
    /// An end-of-directory entry (type 0x00) was met; false means the bytes ran out first.
    var reachedEnd = false

    /// Scans directory bytes (a whole number of 32-byte entries; a partial last one is ignored).
    /// `cutShort`: the bytes are a prefix of the directory (the entry limit), so a set running
    /// past their end is not itself damage.
    init(scanning bytes: [UInt8], cutShort: Bool = false) {
        let count = bytes.count / 32
        var orphans = 0, unknown = 0
        var index = 0
        while index < count {
            let at = index * 32
            let type = bytes[at]
            if type == 0x00 { reachedEnd = true; break }
            // InUse clear: a deleted or unused entry (§6.2.1.4); its set, if any, is skipped
            // entry by entry since each of its secondaries is unused too.
            guard type & 0x80 != 0 else { index += 1; continue }
            switch type {
            case 0x85:
                index += scanFileSet(bytes, at: index, count: count, cutShort: cutShort)
            case 0x81:
                entries.append(.allocationBitmap(firstCluster: ExFATLE.u32(bytes, at + 20),
                                                 dataLength: ExFATLE.u64(bytes, at + 24),
                                                 secondBitmap: bytes[at + 1] & 1 == 1))
                index += 1
            case 0x82:
                entries.append(.upcaseTable(firstCluster: ExFATLE.u32(bytes, at + 20),
                                            dataLength: ExFATLE.u64(bytes, at + 24),
                                            checksum: ExFATLE.u32(bytes, at + 4)))
                index += 1
            case 0x83:
                let characters = Int(bytes[at + 1])
                if characters > 11 {
                    problems.append(("bad-volume-label", "CharacterCount \(characters) is over 11; 11 are read"))
                }
                entries.append(.volumeLabel((0..<min(characters, 11)).map { ExFATLE.u16(bytes, at + 2 + 2 * $0) }))
                index += 1
            default:
                if type & 0x40 != 0 {
                    // A secondary entry outside any set: what is left of a damaged set.
                    orphans += 1
                    index += 1
                } else if type & 0x20 != 0 {
                    // A benign primary entry we do not know (Volume GUID 0xA0, TexFAT padding,
                    // vendor ones): skipped with its secondaries, which are its own business.
                    index += 1 + Int(bytes[at + 1])
                } else {
                    unknown += 1
                    index += 1
                }
            }
        }
        if orphans > 0 {
            problems.append(("bad-entry-set", "\(orphans) secondary entries belong to no File entry"))
        }
        if unknown > 0 {
            problems.append(("unknown-entry", "\(unknown) critical primary entries of unknown types were skipped"))
        }
    }

    /// Reads the File entry set at `index`; returns how many entries to step over.
    private mutating func scanFileSet(_ bytes: [UInt8], at index: Int, count: Int, cutShort: Bool) -> Int {
        let at = index * 32
        let secondaries = Int(bytes[at + 1])
        guard (2...18).contains(secondaries) else {
            problems.append(("bad-entry-set", "File entry \(index) has SecondaryCount \(secondaries), not 2…18"))
            return 1
        }
        guard index + secondaries < count else {
            if !cutShort { problems.append(("bad-entry-set", "File entry \(index)'s set passes the end of the directory")) }
            return count - index
        }
        let stream = at + 32
        guard bytes[stream] == 0xC0 else {
            problems.append(("bad-entry-set", "File entry \(index) is not followed by a Stream Extension"))
            return 1
        }
        let setEnd = at + 32 * (secondaries + 1)

        var checksum: UInt16 = 0
        for offset in at..<setEnd where offset != at + 2 && offset != at + 3 {
            checksum = (checksum >> 1 | checksum << 15) &+ UInt16(bytes[offset])
        }

        let nameLength = Int(bytes[stream + 3])
        var name = [UInt16]()
        name.reserveCapacity(nameLength)
        var entry = stream + 32
        while name.count < nameLength, entry < setEnd, bytes[entry] == 0xC1 {
            for unit in 0..<15 where name.count < nameLength {
                name.append(ExFATLE.u16(bytes, entry + 2 + 2 * unit))
            }
            entry += 32
        }

        entries.append(.file(FileSet(
            name: name,
            attributes: ExFATLE.u16(bytes, at + 4),
            created: ExFATTimestamp.decode(ExFATLE.u32(bytes, at + 8), increment: bytes[at + 20], utcOffset: bytes[at + 22]),
            modified: ExFATTimestamp.decode(ExFATLE.u32(bytes, at + 12), increment: bytes[at + 21], utcOffset: bytes[at + 23]),
            noFatChain: bytes[stream + 1] & 0x02 != 0,
            nameHash: ExFATLE.u16(bytes, stream + 4),
            validDataLength: ExFATLE.u64(bytes, stream + 8),
            firstCluster: ExFATLE.u32(bytes, stream + 20),
            dataLength: ExFATLE.u64(bytes, stream + 24),
            setChecksumMatches: checksum == ExFATLE.u16(bytes, at + 2),
            nameTruncated: name.count < nameLength,
            entryIndex: index)))
        return secondaries + 1
    }
}
