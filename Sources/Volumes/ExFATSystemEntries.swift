extension ExFATVolumeReader {
    /// The root directory's allocation bitmap, up-case table and volume label (§7.1–7.3).
    ///
    /// The active bitmap, when whole, is kept: the clusters of every file and directory read
    /// after it are checked against it.
    /// The bitmap's and the table's clusters are claimed, so a file chained into them is
    /// cross-linked. The up-case table is used for name hashes only when its checksum matches;
    /// otherwise (or when it is missing) "bad-upcase-table" is noted once and names are not
    /// hash-checked, since every hash would then be suspect.
    func readSystemEntries(_ root: ExFATDirectory) async throws {
        var bitmaps = 0, upcaseSeen = false
        for entry in root.entries {
            switch entry {
            case .allocationBitmap(let firstCluster, let dataLength, let second):
                bitmaps += 1
                let needed = (UInt64(boot.clusterCount) + 7) / 8
                if dataLength < needed {
                    note("bad-allocation-bitmap", "/", "the \(second ? "second" : "first") allocation bitmap holds "
                         + "\(dataLength) bytes; \(boot.clusterCount) clusters need \(needed)")
                }
                let found = try await allocation(of: "$AllocationBitmap", firstCluster: firstCluster,
                                                 dataLength: min(dataLength, needed), noFatChain: false, clusterLimit: .max)
                // TexFAT keeps two; the one matching ActiveFat is in use, the other is compared
                // with it (`compareInactiveCopies`).
                if found.complete, dataLength >= needed {
                    if second == (boot.activeFat == 1) {
                        bitmap = ExFATAllocationBitmap(medium: medium, extents: found.extents)
                    } else if boot.numberOfFats == 2 {
                        inactiveBitmap = ExFATAllocationBitmap(medium: medium, extents: found.extents)
                    }
                }
            case .upcaseTable(let firstCluster, let dataLength, let checksum):
                guard !upcaseSeen else {
                    note("bad-upcase-table", "/", "a second up-case table entry is ignored")
                    continue
                }
                upcaseSeen = true
                try await readUpcaseTable(firstCluster: firstCluster, dataLength: dataLength, checksum: checksum)
            case .volumeLabel(let units):
                let (text, valid) = Self.decodeUTF16(units)
                if !valid { note("bad-volume-label", "/", "the volume label is not valid UTF-16") }
                let trimmed = String(text.reversed().drop { $0 == " " || $0 == "\u{0}" }.reversed())
                label = trimmed.isEmpty ? nil : trimmed
            case .file:
                continue
            }
        }
        if bitmaps == 0 { note("bad-allocation-bitmap", "/", "the root directory has no allocation bitmap entry") }
        if bitmaps > boot.numberOfFats {
            note("bad-allocation-bitmap", "/", "\(bitmaps) allocation bitmap entries for \(boot.numberOfFats) FAT(s)")
        }
        if !upcaseSeen { note("bad-upcase-table", "/", "the root directory has no up-case table entry; names are not hash-checked") }
    }

    private func readUpcaseTable(firstCluster: UInt32, dataLength: UInt64, checksum: UInt32) async throws {
        guard dataLength > 0, dataLength <= UInt64(ExFATUpcaseTable.largestTable) else {
            note("bad-upcase-table", "$UpcaseTable", "DataLength \(dataLength) is not 1…\(ExFATUpcaseTable.largestTable); names are not hash-checked")
            return
        }
        let allocation = try await allocation(of: "$UpcaseTable", firstCluster: firstCluster, dataLength: dataLength,
                                              noFatChain: false, clusterLimit: .max)
        guard allocation.complete else {
            note("bad-upcase-table", "$UpcaseTable", "the table's clusters could not be followed; names are not hash-checked")
            return
        }
        let bytes = try await bytes(of: allocation, limit: Int(dataLength))
        guard ExFATUpcaseTable.checksum(bytes) == checksum else {
            note("bad-upcase-table", "$UpcaseTable", "TableChecksum does not match the table; names are not hash-checked")
            return
        }
        upcase = ExFATUpcaseTable(stored: bytes)
    }
}
