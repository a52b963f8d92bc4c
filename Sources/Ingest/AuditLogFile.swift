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

    /// Opens the log, continuing the chain from its last entry.
    public init(path: String) throws(StorageError) {
        self.path = path
        try FileIO.makeDirectory((path as NSString).deletingLastPathComponent)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        chain = AuditChain(last: AuditChain.lastEntry(in: text))
        fd = try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
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
        let (entry, line) = chain.append(event, serial: serial, bay: bay, detail: detail, at: Date())
        let bytes = Array(line.utf8)
        let written: Result<Void, StorageError> = bytes.withUnsafeBytes { raw in
            // O_APPEND: the offset argument of pwrite is ignored on Linux for append-mode files,
            // so use write(2) through a loop instead.
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
        try FileIO.sync(fd, path: path)
        return entry
    }
}
