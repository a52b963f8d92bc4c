import Evidence
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The store's audit log, `<store>/audit/audit.jsonl`: append-only, hash-chained, each entry
/// fsynced before `append` returns. One writer per store (this actor).
public actor AuditLogFile {
    public nonisolated let path: String
    private let fd: Int32
    private var chain: AuditChain
    /// A write failed part way and may have left a fragment without its line end.
    private var torn = false

    /// Opens the log, continuing the chain from its last entry.
    public init(path: String) throws(StorageError) {
        self.path = path
        try FileIO.makeDirectory((path as NSString).deletingLastPathComponent)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        chain = AuditChain(last: AuditChain.lastEntry(in: text))
        fd = try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
        if !text.isEmpty && !text.hasSuffix("\n") {
            // A crash cut the last line short. End it, so that it stays one malformed line the
            // verifier names, and the next entry starts a line of its own.
            try Self.write(fd, Array("\n".utf8), path: path)
        }
    }

    deinit { close(fd) }

    /// The newest entry, to anchor in a signed custody record.
    public var head: AuditAnchor? {
        chain.last.map { AuditAnchor(seq: $0.seq, hash: $0.hash) }
    }

    /// Appends one entry and makes it durable.
    @discardableResult
    public func append(_ event: AuditEvent, serial: String? = nil, bay: String? = nil,
                       detail: [String: String] = [:]) throws(StorageError) -> AuditEntry {
        // The chain moves on only once the entry is on disk: a failed write must not leave the
        // next entry pointing at one that does not exist.
        if torn {
            // An earlier write failed part way: end that fragment on a line of its own.
            try Self.write(fd, Array("\n".utf8), path: path)
            torn = false
        }
        var next = chain
        let (entry, line) = next.append(event, serial: serial, bay: bay, detail: detail, at: Date())
        do throws(StorageError) {
            try Self.write(fd, Array(line.utf8), path: path)
            try FileIO.sync(fd, path: path)
        } catch {
            torn = true
            throw error
        }
        chain = next
        return entry
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
