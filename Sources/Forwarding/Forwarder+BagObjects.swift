import Evidence
import EvidenceStore
import Foundation
import Journal

/// What a sealed bag becomes in the queue: one object per file, in upload order, each with the
/// size and SHA-256 it must arrive with.
extension Forwarder {
    /// Queues a sealed bag: every file listed by its manifests, plus the tag manifest itself.
    ///
    /// The SHA-256 queued for each file is its manifest's, the sealed record, and the bytes
    /// are checked against it when they are read for sending (a single PUT before it is sent,
    /// a multipart upload before it is completed), not here: a file that changed after the
    /// bag was sealed, however long the store was away, never becomes an object in the store.
    ///
    /// `important`: the bag holds a recording the recorder flagged important; it then goes
    /// ahead of the bags that hold none (`ForwardOrder`).
    public nonisolated func enqueue(bag name: String, important: Bool = false) async throws {
        let objects = try Self.objects(ofBag: name, at: store.finalBag(name))
        try await add(objects, important: important)
    }

    func add(_ objects: [Journal.ForwardObject], important: Bool) throws {
        try journal.enqueue(objects, important: important, queuedUTC: UTCTimestamp.string(Date()))
        wakeWorker()
    }

    /// Every object of the bag at `bag`, in upload order, with its size and the SHA-256 its
    /// manifest gives (the tag manifest's own is computed: no manifest lists it). Throws, naming
    /// the file, when a listed file is missing or not a regular file.
    static func objects(ofBag name: String, at bag: String) throws -> [Journal.ForwardObject] {
        var objects: [Journal.ForwardObject] = []
        func add(_ path: String, _ ordinal: Int, manifest: [UInt8]?) throws {
            let file = bag + "/" + path
            let sha: [UInt8], size: UInt64
            if let manifest {
                var info = stat()
                guard stat(file, &info) == 0 else { throw StorageError(operation: "stat", path: file, errno: errno) }
                guard info.st_mode & S_IFMT == S_IFREG else {
                    throw ForwardError(reason: "bag \(name): \(path) is not a regular file; the bag is not forwarded")
                }
                (sha, size) = (manifest, UInt64(info.st_size))
            } else {
                (sha, size) = try FileDigest.sha256(file)
            }
            objects.append(Journal.ForwardObject(bagName: name, path: path, ordinal: ordinal, size: size, sha256: sha))
        }
        let payload = try BagIt.parseManifest(try String(contentsOfFile: bag + "/" + BagIt.manifestFileName, encoding: .utf8))
        for (i, line) in payload.enumerated() { try add(line.path, i, manifest: line.sha256) }
        let tags = try BagIt.parseManifest(try String(contentsOfFile: bag + "/" + BagIt.tagManifestFileName, encoding: .utf8))
        let tagDigest = Dictionary(tags.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        // Derived tag files, then the record, then what makes the bag look complete (the order
        // within a phase is only a preference: ForwardSchedule says what waits for what).
        let last = [BagIt.bagInfoFileName, BagIt.manifestFileName, "custody.json", "custody.json.sig", BagIt.declarationFileName]
        var ordinal = ForwardSchedule.tagOrdinalBase
        for line in tags where !last.contains(line.path) { try add(line.path, ordinal, manifest: line.sha256); ordinal += 1 }
        for path in last where tagDigest[path] != nil { try add(path, ordinal, manifest: tagDigest[path]); ordinal += 1 }
        try add(BagIt.tagManifestFileName, ordinal, manifest: nil)
        return objects
    }
}
