/// One pass over an exFAT volume: the root directory's system entries, then every directory
/// depth first, listing regular files with their extents. Holds what must be remembered across
/// the pass (claimed clusters, the FAT windows, the anomalies) and lives only for the pass.
final class ExFATVolumeReader {
    let medium: ExFATMedium
    let boot: ExFATBootSector
    let limits: VolumeLimits
    /// The last cluster that is both in the heap and on the medium.
    let lastCluster: UInt32
    let fat: ExFATAllocationTable
    var ownership = ClusterOwnership()
    /// FAT steps left for allocations followed without claiming (see `allocation`).
    var unclaimedBudget: UInt64
    var upcase: ExFATUpcaseTable?
    /// The active allocation bitmap, once the root directory has named it.
    var bitmap: ExFATAllocationBitmap?
    /// TexFAT: the inactive allocation bitmap, when the root directory names a whole one.
    var inactiveBitmap: ExFATAllocationBitmap?
    var label: String?
    var files: [VolumeFile] = []
    /// Per file of `files`: its clusters are chained in the FAT (not NoFatChain).
    var followsFAT: [Bool] = []
    /// Each directory read, in reading order ("/" for the root): the clusters it was read
    /// from, and whether they are chained in the FAT (the root always is; a subdirectory unless
    /// NoFatChain), to name those whose chain a TexFAT volume's inactive FAT disputes.
    var directories: [(path: String, extents: [Extent], chained: Bool)] = []
    var anomalies: [VolumeAnomaly] = []
    /// The file limit was reached: nothing more is listed.
    var stopped = false

    /// Anomalies past this many are counted, not kept: a volume of garbage entries must not
    /// turn into an unbounded report.
    static let maxAnomalies = 10_000
    private var anomaliesDropped = 0

    init(medium: ExFATMedium, boot: ExFATBootSector, limits: VolumeLimits, lastCluster: UInt32) {
        self.medium = medium
        self.boot = boot
        self.limits = limits
        self.lastCluster = lastCluster
        unclaimedBudget = 2 * UInt64(boot.clusterCount)
        fat = ExFATAllocationTable(medium: medium, byteOffset: boot.activeFatByteOffset,
                                   entryCount: UInt64(boot.clusterCount) + 2)
    }

    func note(_ code: String, _ path: String?, _ detail: String) {
        guard anomalies.count < Self.maxAnomalies else { anomaliesDropped += 1; return }
        anomalies.append(VolumeAnomaly(code, path: path, detail))
    }

    /// The clusters a directory is read from: enough for `maxEntriesPerDirectory` entries.
    var directoryClusterLimit: UInt64 {
        let bytes = UInt64(max(1, limits.maxEntriesPerDirectory)) * 32
        let cluster = UInt64(boot.bytesPerCluster)
        return bytes / cluster + (bytes % cluster == 0 ? 0 : 1)
    }
    var directoryByteLimit: Int { max(1, limits.maxEntriesPerDirectory) * 32 }

    /// Reads the whole volume.
    func read() async throws -> (files: [VolumeFile], anomalies: [VolumeAnomaly], label: String?) {
        let root = try await allocation(of: "/", firstCluster: boot.rootDirectoryCluster, dataLength: nil,
                                        noFatChain: false, clusterLimit: directoryClusterLimit)
        directories.append(("/", root.extents, true))
        let (directory, truncated) = try await read(directory: root)
        try await readSystemEntries(directory)
        let fatDifference = try await compareInactiveCopies()
        try await list(directory, path: [], ancestors: [boot.rootDirectoryCluster], truncated: truncated)
        if let fatDifference { reportDisputedChains(fatDifference) }
        if anomaliesDropped > 0 {
            anomalies.append(VolumeAnomaly("anomaly-limit", "\(anomaliesDropped) further anomalies were not recorded"))
        }
        return (files, anomalies, label)
    }

    /// Lists one directory's files, descending into its subdirectories as they come.
    /// `truncated`: the directory is longer than the entry limit let us read.
    private func list(_ directory: ExFATDirectory, path: [String], ancestors: [UInt32], truncated: Bool) async throws {
        let where_ = path.isEmpty ? "/" : path.joined(separator: "/")
        for problem in directory.problems { note(problem.code, where_, problem.detail) }
        if truncated, !directory.reachedEnd {
            note("entry-limit", where_, "no end-of-directory entry within the first \(limits.maxEntriesPerDirectory) entries; the rest is not read")
        }
        for entry in directory.entries {
            guard !stopped else { return }
            guard case .file(let set) = entry else { continue }
            let name = decodeName(set, in: path)
            let filePath = path + [name]
            let shown = filePath.joined(separator: "/")
            checkSet(set, path: shown)
            if set.isDirectory {
                try await descend(set, path: filePath, ancestors: ancestors)
            } else {
                guard files.count < limits.maxFiles else {
                    note("file-limit", shown, "\(limits.maxFiles) files listed; the rest of the volume is not read")
                    stopped = true
                    return
                }
                files.append(try await file(set, path: filePath))
                followsFAT.append(!set.noFatChain)
            }
        }
    }

    private func descend(_ set: ExFATDirectory.FileSet, path: [String], ancestors: [UInt32]) async throws {
        let shown = path.joined(separator: "/")
        guard path.count <= limits.maxDepth else {
            note("depth-limit", shown, "directory nesting deeper than \(limits.maxDepth) is not read")
            return
        }
        guard !ancestors.contains(set.firstCluster) else {
            note("directory-loop", shown, "the directory's first cluster \(set.firstCluster) is one of its own ancestors'")
            return
        }
        let allocation = try await allocation(of: shown, firstCluster: set.firstCluster, dataLength: set.dataLength,
                                              noFatChain: set.noFatChain, clusterLimit: directoryClusterLimit)
        directories.append((shown, allocation.extents, !set.noFatChain))
        let (directory, truncated) = try await read(directory: allocation)
        try await list(directory, path: path, ancestors: ancestors + [set.firstCluster], truncated: truncated)
    }

    /// A directory's entries, up to the entry limit; `truncated` when it holds more.
    private func read(directory allocation: ExFATAllocation) async throws -> (ExFATDirectory, truncated: Bool) {
        let bytes = try await bytes(of: allocation, limit: directoryByteLimit)
        let total = allocation.extents.reduce(UInt64(0)) { $0 + $1.length }
        let truncated = allocation.reachedLimit || total > UInt64(bytes.count)
        return (ExFATDirectory(scanning: bytes, cutShort: truncated), truncated)
    }

    private func file(_ set: ExFATDirectory.FileSet, path: [String]) async throws -> VolumeFile {
        let shown = path.joined(separator: "/")
        if set.validDataLength > set.dataLength {
            note("bad-valid-data-length", shown, "ValidDataLength \(set.validDataLength) is more than DataLength \(set.dataLength)")
        } else if set.validDataLength < set.dataLength {
            note("valid-data-length", shown,
                 "only the first \(set.validDataLength) of \(set.dataLength) bytes were written; the extents give the rest as it "
                 + "is on the medium (as The Sleuth Kit's icat does), where a file system driver would read zeros")
        }
        let allocation = try await allocation(of: shown, firstCluster: set.firstCluster, dataLength: set.dataLength,
                                              noFatChain: set.noFatChain, clusterLimit: .max)
        let heapBytes = UInt64(boot.clusterCount) * UInt64(boot.bytesPerCluster)
        return VolumeFile(path: path, size: min(set.dataLength, heapBytes), modified: set.modified, created: set.created,
                          firstCluster: set.firstCluster, extents: allocation.extents, complete: allocation.complete)
    }

    /// The set's own checks: its checksum and its name's hash.
    private func checkSet(_ set: ExFATDirectory.FileSet, path: String) {
        if !set.setChecksumMatches {
            note("bad-set-checksum", path, "the entry set's SetChecksum does not match its entries")
        }
        if let upcase, !set.nameTruncated, !set.name.isEmpty, upcase.nameHash(set.name) != set.nameHash {
            note("bad-name-hash", path, "the Stream Extension's NameHash does not match the name")
        }
    }

    /// The set's name as a path component. A name that is missing, short, not valid UTF-16 or
    /// holds characters exFAT forbids is an anomaly ("bad-long-name"); a missing one is
    /// replaced by one naming the entry, so the file is still listed.
    private func decodeName(_ set: ExFATDirectory.FileSet, in parent: [String]) -> String {
        guard !set.name.isEmpty else {
            let name = "_unnamed_entry_\(set.entryIndex)"
            note("bad-long-name", (parent + [name]).joined(separator: "/"), "entry set \(set.entryIndex) has no name; listed under this name")
            return name
        }
        let (name, valid) = Self.decodeUTF16(set.name)
        let shown = (parent + [name]).joined(separator: "/")
        if !valid {
            note("bad-long-name", shown, "the name is not valid UTF-16 (unpaired surrogates became U+FFFD)")
        }
        if set.nameTruncated {
            note("bad-long-name", shown, "the set holds fewer File Name entries than NameLength needs")
        }
        if set.name.contains(where: { $0 < 0x20 || Self.forbidden.contains($0) }) {
            note("bad-long-name", shown, "the name holds characters exFAT forbids")
        }
        if name == "." || name == ".." {
            // exFAT directories hold no "." or ".." entries; one here is damage or a trap for
            // whoever joins the path.
            note("bad-long-name", shown, "a file named \"\(name)\"")
        }
        return name
    }

    private static let forbidden: Set<UInt16> = Set("\"*/:<>?\\|".utf16)

    /// UTF-16 to a String, unpaired surrogates becoming U+FFFD; `valid` says none did.
    static func decodeUTF16(_ units: [UInt16]) -> (String, valid: Bool) {
        var scalars = String.UnicodeScalarView()
        var valid = true
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: break loop
            case .error:
                valid = false
                scalars.append("\u{FFFD}")
            }
        }
        return (String(scalars), valid)
    }
}
