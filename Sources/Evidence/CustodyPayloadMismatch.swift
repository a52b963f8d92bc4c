import GatewayCrypto

/// One way a bag's payload manifest and its signed custody record disagree.
///
/// The manifests and `Payload-Oxum` are not signed: anyone who can write to a bag can add,
/// remove or replace a file under `data/` and make both manifests and `bag-info.txt` agree
/// with it again, and BagIt validation passes. `files[]` of the custody record is signed, so
/// the payload is what the gateway sealed only when the two list the same paths with the same
/// SHA-256 and size.
public enum CustodyPayloadMismatch: Error, Hashable, Sendable, CustomStringConvertible {
    /// In the payload manifest, but the signed record has no file at that path: it was added
    /// after sealing.
    case notInRecord(path: String)
    /// In the signed record, but not in the payload manifest: it was taken out after sealing.
    case notInManifest(path: String, recordingId: UInt32)
    /// The record's SHA-256 (hex; nil when it has none) is not the manifest's.
    case digestDiffers(path: String, recordingId: UInt32, record: String?, manifest: String)
    /// The record's size is not the size of the file stored in the bag.
    case sizeDiffers(path: String, recordingId: UInt32, record: UInt64, stored: UInt64)
    /// The record gives one bag path to several recordings: one file cannot be both.
    case listedTwice(path: String, recordingIds: [UInt32])
    /// The record's `totals` do not add up its own file list.
    case totalsDiffer(files: Int, bytes: UInt64, listedFiles: Int, listedBytes: UInt64)

    /// The bag path concerned; nil for `totalsDiffer`, which concerns the whole record.
    public var path: String? {
        switch self {
        case .notInRecord(let path), .notInManifest(let path, _), .digestDiffers(let path, _, _, _),
             .sizeDiffers(let path, _, _, _), .listedTwice(let path, _): path
        case .totalsDiffer: nil
        }
    }

    /// For a person, starting with the path (or `custody.json:` for the totals).
    public var description: String {
        switch self {
        case .notInRecord(let path):
            "\(path): in manifest-sha256.txt but not in custody.json (the signed file list): added after sealing"
        case .notInManifest(let path, let id):
            "\(path): in custody.json (recording \(id)) but not in manifest-sha256.txt: taken out of the bag after sealing"
        case .digestDiffers(let path, let id, let record, let manifest):
            "\(path): custody.json (recording \(id)) signed SHA-256 \(record ?? "none"), manifest-sha256.txt has \(manifest)"
        case .sizeDiffers(let path, let id, let record, let stored):
            "\(path): custody.json (recording \(id)) signed \(record) bytes, the bag holds \(stored) bytes"
        case .listedTwice(let path, let ids):
            "\(path): custody.json lists it for recordings \(ids.map(String.init).joined(separator: ", "))"
        case .totalsDiffer(let files, let bytes, let listedFiles, let listedBytes):
            "custody.json: totals say \(files) files, \(bytes) bytes, but its file list has \(listedFiles) files, \(listedBytes) bytes"
        }
    }
}

extension CustodyRecord {
    /// Compares the signed file list with a bag's payload manifest, both ways: every manifest
    /// entry must be a recorded file, every recorded file a manifest entry, with the same
    /// SHA-256 and, where the file could be read, the same size as `storedSizes` gives; and
    /// `totals` must add up `files`.
    ///
    /// Only payload is compared. The derived tag files (`tracks/`, `report.*`, `timeline.svg`)
    /// are outside `data/`, are not named in the record, and are recomputed from it rather than
    /// signed.
    ///
    /// - Parameters:
    ///   - manifest: the lines of `manifest-sha256.txt`.
    ///   - storedSizes: the size of each payload file as read from the bag, by path. A path
    ///     without a size (the file is missing or unreadable, which the caller reports) is
    ///     compared by digest only.
    /// - Returns: every mismatch, in manifest order, then the recorded files the manifest
    ///   lacks (by path), then the totals; empty when record and payload agree.
    public func payloadMismatches(manifest: [BagIt.ManifestLine], storedSizes: [String: UInt64]) -> [CustodyPayloadMismatch] {
        var mismatches: [CustodyPayloadMismatch] = []
        let byPath = Dictionary(grouping: files, by: \.bagPath)
        for (path, group) in byPath.sorted(by: { $0.key < $1.key }) where group.count > 1 {
            mismatches.append(.listedTwice(path: path, recordingIds: group.map(\.recordingId).sorted()))
        }
        var listed = Set<String>()
        for line in manifest {
            listed.insert(line.path)
            guard let file = byPath[line.path]?.first else {
                mismatches.append(.notInRecord(path: line.path))
                continue
            }
            let digest = hexString(line.sha256)
            // The record's hex is written lower-case; case is not a different digest.
            if file.sha256?.lowercased() != digest {
                mismatches.append(.digestDiffers(path: line.path, recordingId: file.recordingId, record: file.sha256, manifest: digest))
            }
            if let stored = storedSizes[line.path], stored != file.size {
                mismatches.append(.sizeDiffers(path: line.path, recordingId: file.recordingId, record: file.size, stored: stored))
            }
        }
        for file in files.sorted(by: { $0.bagPath < $1.bagPath }) where !listed.contains(file.bagPath) {
            mismatches.append(.notInManifest(path: file.bagPath, recordingId: file.recordingId))
        }
        let listedBytes = files.reduce(UInt64(0)) { $0 &+ $1.size }
        if totals.files != files.count || totals.bytes != listedBytes {
            mismatches.append(.totalsDiffer(files: totals.files, bytes: totals.bytes, listedFiles: files.count, listedBytes: listedBytes))
        }
        return mismatches
    }
}
