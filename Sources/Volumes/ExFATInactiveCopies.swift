extension ExFATVolumeReader {
    /// TexFAT (NumberOfFats = 2): compares the inactive FAT and allocation bitmap with the
    /// active ones that VolumeFlags.ActiveFat names and the reader follows. The specification
    /// calls the inactive pair stale: between transactions it equals the active pair; while a
    /// transaction is open, or after one was cut short, it holds the state before it. Either
    /// way a difference is worth the examiner's knowing, so it is reported ("fat-mismatch",
    /// "bitmap-mismatch"), and never used.
    ///
    /// Both are read a chunk (1 MiB) of each copy at a time, whatever their size, and only for
    /// clusters on the medium; a copy off the medium is not compared (the volume is then cut
    /// short, which "volume-truncated" says). Returns the FAT difference, to name the
    /// directories and files whose chains run through it once they are listed.
    func compareInactiveCopies() async throws -> FATCopyComparison.Difference? {
        guard boot.numberOfFats == 2 else { return nil }
        let active = boot.activeFat + 1, inactive = 2 - boot.activeFat
        let fatBytes = (UInt64(boot.clusterCount) + 2) * 4
        let inactiveOffset = (UInt64(boot.fatOffset) + UInt64(1 - boot.activeFat) * UInt64(boot.fatLength))
            << UInt64(boot.bytesPerSectorShift)
        var fatDifference: FATCopyComparison.Difference?
        if inactiveOffset + fatBytes <= medium.length {
            let activeOffset = boot.activeFatByteOffset
            let comparison = FATCopyComparison(
                followed: { [medium] at, count in try await medium.read(at: activeOffset + at, count: count) },
                compared: { [medium] at, count in try await medium.read(at: inactiveOffset + at, count: count) },
                type: .exfat, lastCluster: lastCluster, fatBytes: fatBytes)
            if let d = try await comparison.compare(copy: inactive - 1) {
                fatDifference = d
                let sector = UInt64(boot.bytesPerSector)
                let activeSector = (activeOffset + d.firstByte) / sector
                let inactiveSector = (inactiveOffset + d.firstByte) / sector
                var text = "the inactive FAT #\(inactive) differs from the active FAT #\(active) "
                if d.entries > 0 {
                    text += "in \(d.entries) cluster entr\(d.entries == 1 ? "y" : "ies"), the first at cluster \(d.firstCluster) "
                        + "(byte \(d.firstByte) of the FAT: volume sector \(activeSector) in FAT #\(active), "
                        + "\(inactiveSector) in FAT #\(inactive))"
                    if d.lastCluster != d.firstCluster { text += ", the last at cluster \(d.lastCluster)" }
                }
                if let reserved = d.reservedText(followed: "FAT #\(active)", compared: "FAT #\(inactive)") {
                    // Entries 0 and 1 lie in each FAT's first sector.
                    text += (d.entries > 0 ? ", and in " : "only in ") + reserved
                        + " (volume sector \(activeOffset / sector) in FAT #\(active), \(inactiveOffset / sector) in FAT #\(inactive))"
                    if d.entries == 0 { text += "; no cluster's link differs, so no file or directory is named" }
                }
                text += "; FAT #\(active) is used (VolumeFlags.ActiveFat)"
                if !d.runsComplete { text += "; files are named for the first \(FATCopyComparison.maxRuns) differing runs only" }
                note("fat-mismatch", nil, text)
            }
        }
        if let bitmap, let inactiveBitmap {
            try await compareBitmaps(active: bitmap, inactive: inactiveBitmap, activeNumber: active, inactiveNumber: inactive)
        }
        return fatDifference
    }

    /// Notes "bitmap-mismatch" when the two bitmaps disagree on any cluster on the medium:
    /// how many clusters, the first and the last.
    private func compareBitmaps(active: ExFATAllocationBitmap, inactive: ExFATAllocationBitmap,
                                activeNumber: Int, inactiveNumber: Int) async throws {
        let clusters = UInt64(lastCluster) - 1
        let bytes = min((clusters + 7) / 8, active.byteCount, inactive.byteCount)
        var differing: UInt64 = 0, first: UInt64?, last: UInt64 = 0
        var at: UInt64 = 0
        while at < bytes {
            let count = min(ExFATAllocationBitmap.windowBytes, bytes - at)
            let a = try await active.read(from: at, count: count)
            let b = try await inactive.read(from: at, count: count)
            guard a != b else { at += count; continue }
            for index in 0 ..< Int(count) where a[index] != b[index] {
                var bits = a[index] ^ b[index]
                let base = (at + UInt64(index)) * 8
                // Bits past the last cluster on the medium are not clusters.
                if base + 8 > clusters { bits &= UInt8(truncatingIfNeeded: (1 << (clusters - base)) - 1) }
                guard bits != 0 else { continue }
                differing += UInt64(bits.nonzeroBitCount)
                if first == nil { first = base + UInt64(bits.trailingZeroBitCount) + 2 }
                last = base + UInt64(7 - bits.leadingZeroBitCount) + 2
            }
            at += count
        }
        guard let first else { return }
        var text = "the inactive allocation bitmap (#\(inactiveNumber)) differs from the active one (#\(activeNumber)) on "
            + "\(differing) cluster\(differing == 1 ? "" : "s"), the first \(first)"
        if last != first { text += ", the last \(last)" }
        note("bitmap-mismatch", nil, text + "; the active bitmap is used")
    }

    /// Names each FAT-chained directory (the root, and each directory read whose Stream
    /// Extension is not NoFatChain), once, then each FAT-chained file, whose clusters have an
    /// entry the inactive FAT holds otherwise (a NoFatChain allocation's FAT entries mean
    /// nothing). A directory's clusters are those it was read from (up to the entry limit).
    /// The system structures (the allocation bitmaps, the up-case table) are not named: the
    /// volume-level difference gives the clusters.
    func reportDisputedChains(_ difference: FATCopyComparison.Difference) {
        let inactive = difference.copy + 1
        var named = Set<String>()
        for directory in directories where directory.chained && !named.contains(directory.path)
            && directory.extents.contains(where: { difference.touches(first: $0.firstCluster, count: $0.clusterCount) }) {
            named.insert(directory.path)
            note("fat-mismatch", directory.path,
                 "the directory's clusters have entries the inactive FAT #\(inactive) holds otherwise; the active FAT was followed")
        }
        for (file, chained) in zip(files, followsFAT)
        where chained && file.extents.contains(where: { difference.touches(first: $0.firstCluster, count: $0.clusterCount) }) {
            note("fat-mismatch", file.pathString,
                 "the file's clusters have entries the inactive FAT #\(inactive) holds otherwise; the active FAT was followed")
        }
    }
}
