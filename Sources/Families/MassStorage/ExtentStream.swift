import Foundation
import RecorderHAL
import Volumes

/// A byte range of one file on a mass-storage recorder, read along its extents: the family's
/// `RecordingStream`.
///
/// BOT carries one command at a time, so the stream reads one command's worth per `next` (a
/// run of contiguous clusters up to the disk's largest transfer) and holds nothing ahead. A file
/// whose allocation ends before its size (a broken chain) fails at that offset with the
/// volume's reason; the bytes before it are delivered. No re-reads: a READ either passes its
/// status or fails, and the transport has no checksum to catch a damaged chunk by.
final class ExtentStream: RecordingStream, @unchecked Sendable {
    private let disk: SCSIDisk
    private let id: UInt32
    /// The pieces of the range still to read: (offset in the file, offset on the medium, length).
    private var pending: [(fileOffset: UInt64, mediumOffset: UInt64, length: UInt64)]
    /// Where the range stops being covered by extents, when the allocation is short.
    private let coveredUntil: UInt64
    private let end: UInt64
    private let lock = NSLock()
    private var cancelled = false
    let rereads = 0

    init(disk: SCSIDisk, id: UInt32, file: VolumeFile, range: Range<UInt64>) {
        self.disk = disk
        self.id = id
        self.end = range.upperBound
        var pieces: [(UInt64, UInt64, UInt64)] = []
        var fileOffset: UInt64 = 0
        for extent in file.extents {
            let lo = max(fileOffset, range.lowerBound), hi = min(fileOffset + extent.length, range.upperBound)
            if lo < hi { pieces.append((lo, extent.offset + (lo - fileOffset), hi - lo)) }
            fileOffset += extent.length
            if fileOffset >= range.upperBound { break }
        }
        pending = pieces.reversed()
        // Read what the extents cover; `next` fails where they stop.
        coveredUntil = max(range.lowerBound, min(fileOffset, range.upperBound))
    }

    func next() async throws(RecorderError) -> RecordingChunk? {
        let piece: (fileOffset: UInt64, mediumOffset: UInt64, length: UInt64)? = lock.withLock {
            cancelled ? nil : pending.popLast()
        }
        guard var piece else {
            let isCancelled = lock.withLock { cancelled }
            if !isCancelled && coveredUntil < end {
                throw RecorderError(.protocolViolation("the volume's allocation of the file ends at byte \(coveredUntil) of \(end)"),
                                    context: ["recording \(id) at offset \(coveredUntil)"])
            }
            return nil
        }
        // One command's worth now, ending on a block boundary (so an extent that starts inside
        // a block costs one READ per chunk, not two); the rest of the run stays pending.
        let block = UInt64(disk.blockSize)
        let most = UInt64(disk.blocksPerCommand) * block - piece.mediumOffset % block
        if piece.length > most {
            let rest = (piece.fileOffset + most, piece.mediumOffset + most, piece.length - most)
            lock.withLock { pending.append(rest) }
            piece.length = most
        }
        // SCSIDisk returns exactly the bytes asked or throws; a piece is at most one command.
        let data: [UInt8]
        do {
            data = try await disk.read(byteOffset: piece.mediumOffset, length: Int(piece.length))
        } catch {
            throw error.recorderError.context("recording \(id) at offset \(piece.fileOffset)")
        }
        return RecordingChunk(offset: piece.fileOffset, data: data[...])
    }

    func cancel() { lock.withLock { cancelled = true } }
}
