import Dispatch
import FuzzSupport
import Volumes

/// A whole medium from arbitrary bytes: partition tables (MBR with logical partitions, GPT),
/// FAT12/16/32 and exFAT boot sectors, FATs, allocation bitmaps and directories, all as a
/// recorder could hand them over. Checks what `Medium.volumes` promises: it returns listings or
/// throws a `VolumeError`, never traps or hangs; every volume lies on the medium; every file's
/// extents lie inside its volume and are never empty; a `complete` file fits in its volume and
/// its extents add up to exactly its size; and reading the same bytes twice gives the same
/// answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let medium = MemoryMedium(fuzzInput(data, size))
    guard medium.blockCount > 0 else { return 0 }
    let first = listings(of: medium)
    if case .success(let volumes) = first {
        let end = medium.blockCount * UInt64(medium.blockSize)
        for listing in volumes {
            let volume = listing.volume
            let (volumeEnd, overflow) = volume.offset.addingReportingOverflow(volume.length)
            invariant(!overflow && volumeEnd <= end, "volume at \(volume.offset)+\(volume.length) past the medium's \(end) bytes")
            for file in listing.files {
                // A size beyond the volume is kept as the entry says it (the custody record shows
                // what the recorder claimed), but such a file can never be complete.
                if file.complete { invariant(file.size <= volume.length, "\(file.pathString): complete, size \(file.size) over the volume's \(volume.length)") }
                var covered: UInt64 = 0
                for extent in file.extents {
                    let (extentEnd, o) = extent.offset.addingReportingOverflow(extent.length)
                    invariant(!o && extent.offset >= volume.offset && extentEnd <= volumeEnd,
                              "\(file.pathString): extent \(extent) outside the volume \(volume.offset)..<\(volumeEnd)")
                    invariant(extent.length > 0 && extent.clusterCount > 0, "\(file.pathString): empty extent \(extent)")
                    covered += extent.length
                }
                invariant(covered <= file.size, "\(file.pathString): extents cover \(covered) of \(file.size) bytes")
                if file.complete { invariant(covered == file.size, "\(file.pathString): complete, but extents cover \(covered) of \(file.size)") }
            }
        }
    }
    switch (first, listings(of: medium)) {
    case (.success(let a), .success(let b)):
        invariant(a.map(\.volume) == b.map(\.volume) && a.map(\.files) == b.map(\.files), "two reads of one medium differ")
    case (.failure(let a), .failure(let b)):
        invariant("\(a)" == "\(b)", "two reads of one medium fail differently: \(a) / \(b)")
    default:
        invariant(false, "one read of a medium succeeded, the other failed")
    }
    return 0
}

/// The input as a medium of 512-byte blocks; a short last block reads as zero-padded.
struct MemoryMedium: BlockSource {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var blockSize: Int { 512 }
    var blockCount: UInt64 { UInt64((bytes.count + 511) / 512) }
    func read(block: UInt64, count: Int) async throws -> [UInt8] {
        let start = Int(block) * 512
        var out = [UInt8](repeating: 0, count: count * 512)
        let available = max(0, min(bytes.count - start, out.count))
        if available > 0 { out.replaceSubrange(0 ..< available, with: bytes[start ..< start + available]) }
        return out
    }
}

/// `Medium.volumes` is async (a recorder's blocks arrive over USB); libFuzzer calls in
/// synchronously, so the target waits for it on a semaphore. Only VolumeError may be thrown:
/// the medium itself never fails.
func listings(of medium: MemoryMedium) -> Result<[VolumeListing], VolumeError> {
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            box.result = .success(try await Medium.volumes(on: medium))
        } catch let error as VolumeError {
            box.result = .failure(error)
        } catch {
            invariant(false, "Medium.volumes threw \(error), not a VolumeError")
        }
        done.signal()
    }
    done.wait()
    return box.result!
}

/// Written by the task before it signals, read after the wait: the semaphore orders the two.
final class ResultBox: @unchecked Sendable {
    var result: Result<[VolumeListing], VolumeError>?
}
