/// One pass over a FAT volume's directory tree, depth first in directory order, following
/// every file's and directory's chain once. State for a single `FATVolume.read`.
final class FATWalker {
    private let reader: MediumReader
    private let boot: FATBootSector
    private let limits: VolumeLimits
    private let table: FATTable
    private var bitmap: ClusterOwnership
    /// Absolute medium offset of cluster 2.
    private let dataStart: UInt64
    private let clusterBytes: UInt64
    /// Clusters of the data area that lie on the medium.
    private let usableClusters: UInt32

    private(set) var anomalies: [VolumeAnomaly] = []
    private var files: [VolumeFile] = []
    private var label: String?
    /// Clusters held by directories, by path, to name the other party of a cross-link.
    private var directoryRuns: [(path: String, first: UInt32, count: UInt32)] = []
    /// Owner look-ups are linear in what has been read; after this many, cross-links are
    /// reported without naming the earlier owner so that a volume of cross-links stays cheap.
    private var ownerLookupsLeft = 32
    private var fileLimitReached = false

    /// Bytes of directory read at once (a cluster run at a time, at most this much).
    private static let directoryReadBytes: UInt64 = 256 << 10

    init(reader: MediumReader, boot: FATBootSector, offset: UInt64, partitionLength: UInt64, limits: VolumeLimits) throws {
        self.reader = reader
        self.boot = boot
        self.limits = limits
        let sector = UInt64(boot.bytesPerSector)
        clusterBytes = UInt64(boot.bytesPerCluster)
        for note in boot.oddities { anomalies.append(VolumeAnomaly("bad-boot-sector", note)) }
        if boot.volumeBytes > partitionLength {
            anomalies.append(VolumeAnomaly("volume-beyond-partition",
                                           "the boot sector claims \(boot.volumeBytes) bytes of a \(partitionLength)-byte partition"))
        }
        if !reader.contains(offset: offset, count: boot.volumeBytes) {
            anomalies.append(VolumeAnomaly("volume-beyond-medium",
                                           "the boot sector claims \(boot.volumeBytes) bytes; the medium holds \(reader.length - offset) from the volume's start"))
        }
        let fatIndex = UInt64(boot.activeFAT ?? 0)
        let fatStart = offset + (UInt64(boot.firstFATSector) + fatIndex * UInt64(boot.sectorsPerFAT)) * sector
        guard reader.contains(offset: fatStart, count: boot.fatBytes) else {
            throw VolumeError.noVolume("FAT volume at byte \(offset): its FAT lies past the medium's end")
        }
        let rootStart = offset + UInt64(boot.rootDirectorySector) * sector
        guard reader.contains(offset: rootStart, count: UInt64(boot.rootDirectorySectors) * sector) else {
            throw VolumeError.noVolume("FAT volume at byte \(offset): its root directory lies past the medium's end")
        }
        dataStart = offset + UInt64(boot.firstDataSector) * sector
        let onMedium = dataStart <= reader.length ? (reader.length - dataStart) / clusterBytes : 0
        usableClusters = UInt32(min(UInt64(boot.clusterCount), onMedium))
        table = FATTable(reader: reader, type: boot.fileSystem, start: fatStart, bytes: boot.fatBytes, usableClusters: usableClusters)
        // Sized by the clusters on the medium, not the boot sector's claim, so a hostile BPB
        // cannot make the bitmap large.
        bitmap = ClusterOwnership()
    }

    /// Every regular file, and the label from the root directory's volume-label entry.
    func walk() async throws -> (files: [VolumeFile], label: String?) {
        let differences = try await compareFATCopies()
        if boot.fileSystem == .fat32 {
            if table.inRange(boot.rootCluster) {
                try await readDirectory(FATChainCursor(first: boot.rootCluster, table: table), path: [], depth: 0)
            } else {
                anomalies.append(VolumeAnomaly("cluster-out-of-range", path: "/", "root directory cluster \(boot.rootCluster)"))
            }
        } else {
            try await readRootRegion()
        }
        reportDisputedChains(differences)
        return (files, label)
    }

    // MARK: FAT copies

    /// Compares every further copy of a mirrored FAT with FAT #1, a chunk at a time, whatever
    /// the FAT's size. FAT #1 is the copy followed, differ or not (as Linux's vfat driver and
    /// The Sleuth Kit read it): a difference is reported, never repaired or used.
    /// With mirroring off (FAT32's ExtFlags) the copies may rightly differ and are not compared.
    private func compareFATCopies() async throws -> [FATCopyComparison.Difference] {
        guard boot.fatCount >= 2, boot.activeFAT == nil else { return [] }
        // NumberOfFATs is the boot sector's word (1…255); real media have 2. Each copy compared
        // is one more read of a FAT of up to 1 GiB, so only the first few are.
        let compared = min(boot.fatCount, FATCopyComparison.maxCopies)
        if boot.fatCount > compared {
            anomalies.append(VolumeAnomaly("bad-boot-sector", "the boot sector claims \(boot.fatCount) FATs; only FAT #2 to #\(compared) are compared with FAT #1"))
        }
        var differences: [FATCopyComparison.Difference] = []
        for copy in 1 ..< compared {
            let start = startOfFAT(copy)
            // A copy off the medium: the volume is cut short, which "volume-beyond-medium" says.
            guard reader.contains(offset: start, count: boot.fatBytes) else { continue }
            let comparison = FATCopyComparison(
                followed: { [table] at, _ in try await table.chunk(containing: at).bytes },
                compared: { [reader] at, count in try await reader.read(offset: start + at, count: count) },
                type: boot.fileSystem, lastCluster: usableClusters + 1, fatBytes: boot.fatBytes)
            guard let difference = try await comparison.compare(copy: copy) else { continue }
            differences.append(difference)
            anomalies.append(VolumeAnomaly("fat-mismatch", describe(difference)))
        }
        return differences
    }

    /// The volume's "fat-mismatch": how many cluster entries differ, the first (its cluster,
    /// its byte in the FAT and the sector of each copy holding it), the last; the differing
    /// reserved entries 0 and 1 with both values (and the sector of each copy holding them);
    /// and which copies look intact. When only reserved entries differ it says that no
    /// cluster's link does, so no file or directory is named.
    private func describe(_ d: FATCopyComparison.Difference) -> String {
        let n = d.copy + 1
        let sector = UInt64(boot.bytesPerSector)
        func sectors(_ byte: UInt64) -> String {
            let first = UInt64(boot.firstFATSector) + byte / sector
            return "volume sector \(first) in FAT #1, \(first + UInt64(d.copy) * UInt64(boot.sectorsPerFAT)) in FAT #\(n)"
        }
        var text = "FAT #\(n) differs from FAT #1 "
        if d.entries > 0 {
            text += "in \(d.entries) cluster entr\(d.entries == 1 ? "y" : "ies"), the first at cluster \(d.firstCluster) "
                + "(byte \(d.firstByte) of the FAT: \(sectors(d.firstByte)))"
            if d.lastCluster != d.firstCluster { text += ", the last at cluster \(d.lastCluster)" }
        }
        if let reserved = d.reservedText(followed: "FAT #1", compared: "FAT #\(n)") {
            // Entries 0 and 1 lie in the FAT's first sector whatever its type.
            text += (d.entries > 0 ? ", and in " : "only in ") + reserved + " (\(sectors(0)))"
            if d.entries == 0 { text += "; no cluster's link differs, so no file or directory is named" }
        }
        switch (d.followedIntact, d.comparedIntact) {
        case (true, false): text += "; FAT #\(n)'s media entry is damaged"
        case (false, true): text += "; FAT #1's media entry is damaged (fsck.fat would take FAT #\(n))"
        case (false, false): text += "; both copies' media entries are damaged"
        case (true, true): break
        }
        text += "; FAT #1 is used"
        if !d.runsComplete {
            text += "; files and directories are named for the first \(FATCopyComparison.maxRuns) differing runs only"
        }
        return text
    }

    /// Names each file and directory whose clusters' entries differ between FAT #1 and any
    /// other copy, once (with the copies that differ), so the anomalies stay bounded by what
    /// was listed however many copies a hostile boot sector claims: its chain was followed as
    /// FAT #1 has it, and the other copies would give another.
    private func reportDisputedChains(_ differences: [FATCopyComparison.Difference]) {
        guard !differences.isEmpty else { return }
        func copies(_ first: UInt32, _ count: UInt32) -> [Int] {
            differences.filter { $0.touches(first: first, count: count) }.map { $0.copy + 1 }
        }
        func names(_ copies: [Int]) -> String { copies.map { "FAT #\($0)" }.joined(separator: ", ") }
        var named = Set<String>()
        for run in directoryRuns where !named.contains(run.path) {
            let differing = copies(run.first, run.count)
            guard !differing.isEmpty else { continue }
            named.insert(run.path)
            anomalies.append(VolumeAnomaly("fat-mismatch", path: run.path,
                                           "the directory's chain runs through entries \(names(differing)) hold\(differing.count == 1 ? "s" : "") otherwise; FAT #1's chain was followed"))
        }
        for file in files {
            // The copies in order, each once: no set of every extent's copies per file.
            let differing = differences.filter { d in file.extents.contains { d.touches(first: $0.firstCluster, count: $0.clusterCount) } }
                .map { $0.copy + 1 }
            guard !differing.isEmpty else { continue }
            anomalies.append(VolumeAnomaly("fat-mismatch", path: file.pathString,
                                           "the file's chain runs through entries \(names(differing)) hold\(differing.count == 1 ? "s" : "") otherwise; FAT #1's chain was followed"))
        }
    }

    /// Absolute medium offset of FAT copy `index` (0-based).
    private func startOfFAT(_ index: Int) -> UInt64 {
        let sector = UInt64(boot.bytesPerSector)
        return dataStart - UInt64(boot.firstDataSector) * sector
            + (UInt64(boot.firstFATSector) + UInt64(index) * UInt64(boot.sectorsPerFAT)) * sector
    }

    // MARK: Directories

    /// FAT12/16's root: a fixed region before the data area.
    private func readRootRegion() async throws {
        let sector = UInt64(boot.bytesPerSector)
        let start = dataStart - UInt64(boot.rootDirectorySectors) * sector
        let total = UInt64(boot.rootEntryCount) * 32
        var state = DirectoryState(path: [], depth: 0)
        var at: UInt64 = 0
        while at < total, !state.ended {
            let count = min(Self.directoryReadBytes, total - at)
            let bytes = try await reader.read(offset: start + at, count: Int(count))
            try await process(bytes, &state)
            at += count
        }
        finish(&state)
    }

    /// A directory held in a cluster chain (every FAT32 directory, FAT12/16 subdirectories).
    private func readDirectory(_ start: FATChainCursor, path: [String], depth: Int) async throws {
        var cursor = start
        var state = DirectoryState(path: path, depth: depth)
        let maxEntries = UInt64(clamping: min(limits.maxEntriesPerDirectory, 1 << 32))
        let maxClusters = (maxEntries * 32 + clusterBytes - 1) / clusterBytes
        let runClusters = max(1, Self.directoryReadBytes / clusterBytes)
        var clusters: UInt64 = 0
        var ownRuns: [(first: UInt32, count: UInt32)] = []
        let where_ = path.isEmpty ? "/" : path.joined(separator: "/")
        while !state.ended {
            guard clusters < maxClusters else {
                if cursor.next != nil {
                    anomalies.append(VolumeAnomaly("entry-limit", path: where_, "more than \(limits.maxEntriesPerDirectory) entries"))
                }
                break
            }
            guard let run = try await cursor.nextRun(maxClusters: min(runClusters, maxClusters - clusters), table: table, bitmap: &bitmap) else { break }
            directoryRuns.append((where_, run.first, run.count))
            ownRuns.append(run)
            clusters += UInt64(run.count)
            let bytes = try await reader.read(offset: offset(of: run.first), count: Int(UInt64(run.count) * clusterBytes))
            try await process(bytes, &state)
        }
        finish(&state)
        // Clusters after the end-of-directory mark still belong to the directory: claim them,
        // so that a file sharing one is found cross-linked.
        while clusters < maxClusters, let run = try await cursor.nextRun(maxClusters: maxClusters - clusters, table: table, bitmap: &bitmap) {
            directoryRuns.append((where_, run.first, run.count))
            ownRuns.append(run)
            clusters += UInt64(run.count)
        }
        switch cursor.stop {
        case .claimed(let cluster):
            if cursor.claimed == 0 {
                // Its first cluster already visited: a directory met again (a loop), unless a
                // file holds it.
                let owner = owner(of: cluster, self: nil)
                anomalies.append(VolumeAnomaly(owner.hasPrefix("file ") ? "cross-linked" : "directory-loop", path: where_,
                                               "the directory's first cluster \(cluster) belongs to \(owner)"))
            } else {
                anomalies.append(crossLink(at: cluster, path: where_, ownRuns: ownRuns))
            }
        case .broken(let code, let detail):
            anomalies.append(VolumeAnomaly(code, path: where_, detail))
        case .end, nil:
            break
        }
    }

    private struct DirectoryState {
        let path: [String]
        let depth: Int
        var longName = FATLongName()
        var entries = 0
        var ended = false
        var where_: String { path.isEmpty ? "/" : path.joined(separator: "/") }
    }

    /// The 32-byte entries in `bytes`, in order.
    private func process(_ bytes: [UInt8], _ state: inout DirectoryState) async throws {
        var at = 0
        while at + 32 <= bytes.count, !state.ended, !fileLimitReached {
            let entry = bytes[at ..< at + 32]
            at += 32
            state.entries += 1
            if state.entries > limits.maxEntriesPerDirectory {
                anomalies.append(VolumeAnomaly("entry-limit", path: state.where_, "more than \(limits.maxEntriesPerDirectory) entries"))
                state.ended = true
                break
            }
            let first = entry[entry.startIndex]
            if first == 0x00 { state.ended = true; break }
            if first == 0xE5 { state.longName.reset(); continue }
            let attributes = entry[entry.startIndex + 11]
            if attributes & 0x3F == 0x0F {
                state.longName.take(entry)
                continue
            }
            reportLostLongNames(&state)
            if attributes & 0x08 != 0 {
                // A volume label (in the root) or a stray one: never a file.
                if state.path.isEmpty, attributes & 0x10 == 0, label == nil {
                    label = FATName.label(Array(entry.prefix(11)), codePage: limits.shortNameCodePage)
                }
                state.longName.reset()
                continue
            }
            let raw = entry.prefix(11)
            let decoded = FATName.shortName(raw, caseFlags: entry[entry.startIndex + 12], codePage: limits.shortNameCodePage)
            let short = decoded.text
            if short == "." || short == ".." { state.longName.reset(); continue }
            let name: String
            switch state.longName.finish(shortName: raw) {
            case .none:
                name = short
                if decoded.notInCodePage {
                    anomalies.append(VolumeAnomaly("short-name-code-page", path: join(state.path, name),
                                                   "the 8.3 name is not \(limits.shortNameCodePage.rawValue) text; shown in cp437"))
                }
            case .name(let text, let unpaired):
                name = text
                if unpaired > 0 {
                    anomalies.append(VolumeAnomaly("unpaired-surrogate", path: join(state.path, name),
                                                   "\(unpaired) unpaired UTF-16 surrogate(s) shown as U+FFFD"))
                }
            case .broken(let why):
                name = short
                anomalies.append(VolumeAnomaly("bad-long-name", path: join(state.path, short), "\(why); the 8.3 name is used"))
            }
            let entryBytes = Array(entry)
            let high = boot.fileSystem == .fat32 ? UInt32(entryBytes.u16(20)) << 16 : 0
            let firstCluster = high | UInt32(entryBytes.u16(26))
            if attributes & 0x10 != 0 {
                try await descend(into: firstCluster, path: state.path + [name], depth: state.depth + 1)
            } else {
                addFile(entryBytes, name: name, firstCluster: firstCluster, in: state.path)
                try await followFile(index: files.count - 1)
            }
        }
    }

    private func finish(_ state: inout DirectoryState) {
        reportLostLongNames(&state)
        if state.longName.isPending {
            anomalies.append(VolumeAnomaly("bad-long-name", path: state.where_, "a long name at the directory's end has no 8.3 entry"))
            state.longName.reset()
        }
    }

    private func reportLostLongNames(_ state: inout DirectoryState) {
        guard state.longName.lost > 0 else { return }
        anomalies.append(VolumeAnomaly("bad-long-name", path: state.where_, "\(state.longName.lost) long name(s) without their 8.3 entry"))
        state.longName.lost = 0
    }

    private func descend(into cluster: UInt32, path: [String], depth: Int) async throws {
        let where_ = path.joined(separator: "/")
        guard depth <= limits.maxDepth else {
            anomalies.append(VolumeAnomaly("depth-limit", path: where_, "deeper than \(limits.maxDepth) directories; not read"))
            return
        }
        guard table.inRange(cluster) else {
            anomalies.append(VolumeAnomaly("cluster-out-of-range", path: where_, "directory's first cluster \(cluster)"))
            return
        }
        try await readDirectory(FATChainCursor(first: cluster, table: table), path: path, depth: depth)
    }

    // MARK: Files

    private func addFile(_ entry: [UInt8], name: String, firstCluster: UInt32, in directory: [String]) {
        let path = directory + [name]
        let pathString = path.joined(separator: "/")
        func stamp(date: Int, time: Int, hundredths: UInt8, what: String) -> VolumeTimestamp? {
            switch FATTimestamp.decode(date: entry.u16(date), time: entry.u16(time), hundredths: hundredths) {
            case .unset: return nil
            case .valid(let stamp): return stamp
            case .invalid(let why):
                anomalies.append(VolumeAnomaly("bad-timestamp", path: pathString, "\(what): \(why)"))
                return nil
            }
        }
        let modified = stamp(date: 24, time: 22, hundredths: 0, what: "modified")
        let created = stamp(date: 16, time: 14, hundredths: entry[13], what: "created")
        files.append(VolumeFile(path: path, size: UInt64(entry.u32(28)), modified: modified, created: created,
                                firstCluster: firstCluster, extents: [], complete: true))
    }

    /// Follows the chain of `files[index]` for exactly the clusters its size needs, coalescing
    /// contiguous clusters into extents; whatever stops it short is an anomaly and makes the
    /// file incomplete.
    private func followFile(index: Int) async throws {
        if files.count > limits.maxFiles {
            files.removeLast()
            fileLimitReached = true
            anomalies.append(VolumeAnomaly("file-limit", "more than \(limits.maxFiles) files; the rest are not listed"))
            return
        }
        var file = files[index]
        defer { files[index] = file }
        let path = file.pathString
        guard file.size > 0 else {
            if file.firstCluster != 0 {
                anomalies.append(VolumeAnomaly("chain-long", path: path, "empty file names cluster \(file.firstCluster)"))
            }
            return
        }
        let volumeBytes = UInt64(boot.clusterCount) * clusterBytes
        var needed = (file.size + clusterBytes - 1) / clusterBytes
        if file.size > volumeBytes {
            anomalies.append(VolumeAnomaly("size-beyond-volume", path: path, "\(file.size) bytes on a volume of \(volumeBytes)"))
            file.complete = false
            needed = UInt64(usableClusters)
        }
        var cursor = FATChainCursor(first: file.firstCluster, table: table)
        var runs: [(first: UInt32, count: UInt32)] = []
        var got: UInt64 = 0
        while got < needed, let run = try await cursor.nextRun(maxClusters: needed - got, table: table, bitmap: &bitmap) {
            if let last = runs.last, last.first + last.count == run.first {
                runs[runs.count - 1].count += run.count
            } else {
                runs.append(run)
            }
            got += UInt64(run.count)
        }
        // Extents: whole clusters, the last trimmed to the file's end.
        var left = min(file.size, got * clusterBytes)
        file.extents = runs.map { run in
            let length = min(left, UInt64(run.count) * clusterBytes)
            left -= length
            return Extent(firstCluster: run.first, clusterCount: run.count, offset: offset(of: run.first), length: length)
        }
        if got < needed {
            file.complete = false
            switch cursor.stop {
            case .claimed(let cluster):
                anomalies.append(crossLink(at: cluster, path: path, ownRuns: runs))
            case .broken(let code, let detail):
                anomalies.append(VolumeAnomaly(code, path: path, detail))
            case .end, nil:
                anomalies.append(VolumeAnomaly("chain-short", path: path, "\(got) of \(needed) clusters before the end of the chain"))
            }
        } else if file.complete, cursor.next != nil {
            anomalies.append(VolumeAnomaly("chain-long", path: path, "the chain goes on past the \(needed) clusters of the file's size"))
        } else if file.complete, case .broken(let code, let detail) = cursor.stop {
            anomalies.append(VolumeAnomaly(code, path: path, "after the file's last cluster: \(detail)"))
        }
    }

    // MARK: Ownership

    /// A chain that met `cluster` already claimed: a loop when the chain itself holds it, else
    /// a cross-link with whoever does.
    private func crossLink(at cluster: UInt32, path: String, ownRuns: [(first: UInt32, count: UInt32)]) -> VolumeAnomaly {
        if ownRuns.contains(where: { cluster >= $0.first && cluster - $0.first < $0.count }) {
            return VolumeAnomaly("chain-loop", path: path, "the chain returns to its own cluster \(cluster)")
        }
        return VolumeAnomaly("cross-linked", path: path, "cluster \(cluster) also belongs to \(owner(of: cluster, self: path))")
    }

    private func owner(of cluster: UInt32, self path: String?) -> String {
        guard ownerLookupsLeft > 0 else { return "an earlier file or directory" }
        ownerLookupsLeft -= 1
        if let run = directoryRuns.first(where: { $0.path != path && cluster >= $0.first && cluster - $0.first < $0.count }) {
            return "directory \(run.path)"
        }
        if let file = files.first(where: { file in
            file.pathString != path && file.extents.contains { cluster >= $0.firstCluster && cluster - $0.firstCluster < $0.clusterCount }
        }) {
            return "file \(file.pathString)"
        }
        return "an earlier file or directory"
    }

    private func offset(of cluster: UInt32) -> UInt64 {
        dataStart + UInt64(cluster - 2) * clusterBytes
    }

    private func join(_ directory: [String], _ name: String) -> String {
        (directory + [name]).joined(separator: "/")
    }
}
