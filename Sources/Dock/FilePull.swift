import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
#if canImport(Glibc)
import Glibc
#endif

/// Pulls one recording into its staging file, from the last durable offset to the end,
/// hashing as it goes.
///
/// Two tasks: the producer keeps the driver's READ window busy and hands chunks over a bounded
/// queue; the consumer writes them and feeds SHA-256, off the transfer path. Every 64 MiB the
/// file is fsynced and only then the journal's durable offset moves, so after a crash or an
/// unplug the journal never claims bytes the disk does not have.
struct FilePull {
    let recorder: any Recorder
    let entry: CatalogEntry
    let store: LocalStore
    let bag: String
    let bagPath: String
    let journal: Journal
    let sessionId: Int64
    /// Called with the byte count of each chunk written.
    let progress: @Sendable (UInt64) -> Void

    /// Bytes between fsync + journal updates.
    static let syncInterval: UInt64 = 64 << 20
    /// Chunks buffered between reading and writing.
    static let queueDepth = 8

    /// What one pull gave: the whole file's SHA-256, the bytes read this time, the re-reads.
    struct Pulled {
        var sha256: [UInt8]
        var pulled: UInt64
        var rereads: Int
    }

    /// Pulls from `start` (the durable offset; pass 0 to start over). The staged prefix is
    /// re-hashed from disk, so the resulting SHA-256 covers the whole file.
    func run(from start: UInt64) async throws -> Pulled {
        let (fd, path) = try store.openStagingFile(bag: bag, bagPath: bagPath)
        defer { close(fd) }
        // Bytes after the durable offset may be a torn write: drop them.
        try FileIO.truncate(fd, to: start, path: path)
        let hasher = SHA256Hasher()
        try FileDigest.feed(fd, upTo: start, path: path, into: hasher)

        let queue = BoundedQueue<RecordingChunk>(capacity: FilePull.queueDepth)
        let reader = recorder.read(entry.id, range: start..<entry.size)
        let producer = Task { () throws -> Int in
            do {
                while let chunk = try await reader.next() {
                    try Task.checkCancellation()
                    await queue.push(chunk)
                }
            } catch {
                reader.cancel()
                await queue.finish()
                throw error
            }
            await queue.finish()
            return reader.rereads
        }

        var offset = start, unsynced: UInt64 = 0
        do {
            while let chunk = await queue.pop() {
                let written: Result<Void, StorageError> = chunk.data.withUnsafeBytes { raw in
                    do throws(StorageError) {
                        try FileIO.write(fd, raw, at: chunk.offset, path: path)
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
                try written.get()
                hasher.update(chunk.data)
                let n = UInt64(chunk.data.count)
                offset += n
                unsynced += n
                progress(n)
                if unsynced >= FilePull.syncInterval {
                    try FileIO.sync(fd, path: path)
                    try journal.setDurableOffset(session: sessionId, recording: entry.id, offset)
                    CrashPoint.offsetRecorded.reached()
                    unsynced = 0
                }
            }
        } catch {
            producer.cancel()
            await queue.finish()
            _ = try? await producer.value
            // What was written is good data: make it count for the next attempt.
            try? FileIO.sync(fd, path: path)
            try? journal.setDurableOffset(session: sessionId, recording: entry.id, offset)
            throw error
        }
        let rereads: Int
        do {
            rereads = try await producer.value
        } catch {
            try? FileIO.sync(fd, path: path)
            try? journal.setDurableOffset(session: sessionId, recording: entry.id, offset)
            throw error
        }
        try FileIO.sync(fd, path: path)
        try journal.setDurableOffset(session: sessionId, recording: entry.id, offset)
        CrashPoint.offsetRecorded.reached()
        return Pulled(sha256: hasher.finalize(), pulled: offset - start, rereads: rereads)
    }
}
