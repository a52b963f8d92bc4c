import Evidence
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The store's audit log, appended to `<store>/audit/audit.jsonl` (the open segment):
/// append-only, hash-chained, each entry fsynced before `append` returns. One writer per store
/// (this actor).
///
/// When the open segment has reached `segmentBytes`, the next append first seals it: renames
/// it to `audit-<seq of its first entry>.jsonl` and starts a new open segment, which continues
/// the same chain (its first entry's `prev` is the sealed segment's last hash). A crash between
/// the rename and the first entry of the new segment leaves no `audit.jsonl`; opening the log
/// then continues the chain from the newest sealed segment. Nothing is ever deleted.
public actor AuditLogFile {
    public nonisolated let path: String
    /// The size at which the open segment is sealed; `Int.max`: never.
    public nonisolated let segmentBytes: Int
    private let directory: String
    private var fd: Int32
    private var chain: AuditChain
    /// A write failed part way and may have left a fragment without its line end.
    private var torn = false
    /// The open segment's size in bytes, and the seq of its first entry (nil while it has none).
    private var openBytes: Int
    private var openFirstSeq: Int?

    /// Opens the log at `path` (the open segment; sealed segments are beside it), continuing
    /// the chain from its last entry.
    public init(path: String, segmentBytes: Int = .max) throws(StorageError) {
        self.path = path
        self.segmentBytes = max(1, segmentBytes)
        let directory = (path as NSString).deletingLastPathComponent
        self.directory = directory
        try FileIO.makeDirectory(directory)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        // An open segment with no entry yet (new, or the gateway stopped right after sealing
        // the last one): the chain goes on from the newest sealed segment.
        chain = AuditChain(last: AuditChain.lastEntry(in: text) ?? Self.lastSealedEntry(in: directory))
        openFirstSeq = AuditChain.firstEntry(in: text)?.seq
        let file = try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
        var size = text.utf8.count
        if !text.isEmpty && !text.hasSuffix("\n") {
            // A crash cut the last line short. End it, so that it stays one malformed line the
            // verifier names, and the next entry starts a line of its own.
            do throws(StorageError) { try Self.write(file, Array("\n".utf8), path: path) } catch {
                close(file)
                throw error
            }
            size += 1
        }
        fd = file
        openBytes = size
    }

    deinit { close(fd) }

    /// The newest entry, to anchor in a signed custody record.
    public var head: AuditAnchor? {
        chain.last.map { AuditAnchor(seq: $0.seq, hash: $0.hash) }
    }

    /// Appends one entry and makes it durable (sealing the open segment first when it is full).
    @discardableResult
    public func append(_ event: AuditEvent, serial: String? = nil, bay: String? = nil,
                       detail: [String: String] = [:]) throws(StorageError) -> AuditEntry {
        if openBytes >= segmentBytes, let first = openFirstSeq, !torn {
            try sealOpenSegment(firstSeq: first)
        }
        // The chain moves on only once the entry is on disk: a failed write must not leave the
        // next entry pointing at one that does not exist.
        if torn {
            // An earlier write failed part way: end that fragment on a line of its own.
            try Self.write(fd, Array("\n".utf8), path: path)
            openBytes += 1
            torn = false
        }
        var next = chain
        let (entry, line) = next.append(event, serial: serial, bay: bay, detail: detail, at: Date())
        let bytes = Array(line.utf8)
        do throws(StorageError) {
            try Self.write(fd, bytes, path: path)
            try FileIO.sync(fd, path: path)
        } catch {
            torn = true
            throw error
        }
        chain = next
        openBytes += bytes.count
        if openFirstSeq == nil { openFirstSeq = entry.seq }
        return entry
    }

    /// Renames the open segment to its sealed name and opens a new, empty one. The rename is
    /// made durable before the new segment is written to, so after a crash the entries are in
    /// exactly one of the two files.
    private func sealOpenSegment(firstSeq: Int) throws(StorageError) {
        let sealed = directory + "/" + AuditSegmentName.sealed(firstSeq: firstSeq)
        // One writer per store, so nothing else can make this name between the check and the
        // rename; a segment already there (a copy put back by hand) is never overwritten.
        if FileManager.default.fileExists(atPath: sealed) {
            throw StorageError(operation: "seal", path: path, errno: EEXIST,
                               detail: "\(sealed) already exists; the open segment is left as it is")
        }
        try FileIO.rename(path, sealed)
        try FileIO.syncDirectory(directory)
        let fresh = try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
        close(fd)
        fd = fresh
        try FileIO.syncDirectory(directory)
        openBytes = 0
        openFirstSeq = nil
    }

    /// The last entry of the newest sealed segment in `directory`; nil when there is none.
    private static func lastSealedEntry(in directory: String) -> AuditEntry? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let newest = names.compactMap { name in AuditSegmentName.firstSeq(ofSealed: name).map { (name, $0) } }
            .max { $0.1 < $1.1 }
        guard let newest, let text = try? String(contentsOfFile: directory + "/" + newest.0, encoding: .utf8) else { return nil }
        return AuditChain.lastEntry(in: text)
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StorageError) {
        if let full = CrashPoint.injectedDiskFull() { throw StorageError(operation: "append", path: path, errno: full) }
        let written: Result<Void, StorageError> = bytes.withUnsafeBytes { raw in
            // write(2), not pwrite: the file is O_APPEND, every write goes to its end.
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return .failure(StorageError(operation: "append", path: path, errno: errno))
                }
                done += n
            }
            return .success(())
        }
        try written.get()
    }
}
