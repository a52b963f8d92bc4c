import Foundation
import RecorderHAL

/// A recorder of a family that keeps no hashes, over files in memory: the dock's view of a
/// mass-storage-like recorder without a disk, with a readable clock (the dock needs one today),
/// release when asked for, and a change of its storage between the first and second read.
/// Counts the bytes read of each file and what was released.
final class MemoryRecorder: Recorder, @unchecked Sendable {
    /// What changes once every file has been read whole once (the first pass).
    enum Change {
        case none
        /// One byte of the file with this path flips.
        case content(path: String)
        /// A new file appears in the catalog.
        case catalog
    }

    let info: RecorderInfo
    private let lock = NSLock()
    private var files: [UInt32: (entry: CatalogEntry, bytes: [UInt8])]
    private var change: Change
    private var wholeReads = 0
    private var read: [UInt32: UInt64] = [:]
    private var freed: [UInt32] = []
    private var listings = 0
    private var opened: [UInt32] = []
    /// The second `catalog()` finds the recorder gone (unplugged between the reads).
    var unpluggedAtSecondListing = false

    /// `important`: the paths the catalog flags important (the officer's mark).
    init(files named: [(path: String, bytes: [UInt8])], capabilities: RecorderCapabilities, change: Change = .none,
         important: Set<String> = []) {
        var files: [UInt32: (CatalogEntry, [UInt8])] = [:]
        for (n, f) in named.enumerated() {
            let id = UInt32(n + 1)
            files[id] = (CatalogEntry(id: id, kind: .video, important: important.contains(f.path), sequence: id, size: UInt64(f.bytes.count),
                                      startMilliseconds: 1_700_000_000_000, endMilliseconds: 1_700_000_060_000,
                                      deviceSHA256: nil, path: Array(f.path.utf8)), f.bytes)
        }
        self.files = files
        self.change = change
        info = RecorderInfo(driver: "memory-test", protocolVersion: 1, maxPayload: 1 << 20, maxInFlight: 1,
                            capabilities: capabilities.union(.clockRead), link: "memory")
    }

    /// Bytes delivered of each file, over the whole dock.
    var bytesRead: [UInt32: UInt64] { lock.withLock { read } }
    var released: [UInt32] { lock.withLock { freed } }
    /// The ids in the order their reads were opened (every read, the second pass's too).
    var readOrder: [UInt32] { lock.withLock { opened } }

    func identity() async throws(RecorderError) -> RecorderIdentity {
        RecorderIdentity(serial: "M000001", model: "memory", firmware: "1", officerNumber: "654321", officerName: "",
                         unitNumber: "", unitName: "", hardwareId: "")
    }

    func authenticate(password: String) async throws(RecorderError) {}

    func readClock() async throws(RecorderError) -> ClockSample {
        let now = Date()
        return ClockSample(device: DeviceTime(utcMilliseconds: Int64(now.timeIntervalSince1970 * 1000), zoneOffsetMinutes: 480),
                           hostSent: now, hostReceived: now)
    }

    func setClock(_ time: DeviceTime) async throws(RecorderError) {}

    func status() async throws(RecorderError) -> RecorderStatus {
        RecorderStatus(batteryPercent: nil, charging: false, recording: false, storageTotalBytes: 1 << 30,
                       storageFreeBytes: 1 << 29, temperatureCelsius: nil)
    }

    func catalog() async throws(RecorderError) -> [CatalogEntry] {
        let (n, entries) = lock.withLock { () -> (Int, [CatalogEntry]) in
            listings += 1
            return (listings, files.values.map(\.entry).sorted { $0.id < $1.id })
        }
        if n == 2, unpluggedAtSecondListing { throw RecorderError(.link(.deviceGone)) }
        return entries
    }

    func read(_ id: UInt32, range: Range<UInt64>) -> any RecordingStream {
        let bytes = lock.withLock { () -> [UInt8]? in
            opened.append(id)
            return files[id]?.bytes
        } ?? []
        return MemoryStream(bytes: bytes, range: range) { [self] n, whole in self.delivered(id, n, whole: whole) }
    }

    private func delivered(_ id: UInt32, _ n: UInt64, whole: Bool) {
        lock.withLock {
            read[id, default: 0] += n
            guard whole else { return }
            wholeReads += 1
            guard wholeReads == files.count else { return }
            switch change {
            case .none: break
            case .content(let path):
                if let (fid, f) = files.first(where: { $0.value.entry.path == path }) {
                    var bytes = f.bytes
                    bytes[bytes.count / 2] ^= 0xFF
                    files[fid] = (f.entry, bytes)
                }
            case .catalog:
                let id = UInt32(files.count + 1)
                files[id] = (CatalogEntry(id: id, kind: .video, sequence: id, size: 3, startMilliseconds: 0, endMilliseconds: 0,
                                          deviceSHA256: nil, path: Array("DCIM/NEW.MP4".utf8)), [1, 2, 3])
            }
            change = .none
        }
    }

    func release(_ id: UInt32, sha256: [UInt8]) async throws(RecorderError) {
        guard info.capabilities.contains(.release) else { throw RecorderError(.unsupported("no release")) }
        lock.withLock { freed.append(id) }
    }

    func statistics() async -> ExchangeStatistics { ExchangeStatistics() }
    func close() async {}
}

/// A file's range in 64 KiB chunks; reports each chunk, and whether the file was read whole.
private final class MemoryStream: RecordingStream, @unchecked Sendable {
    let rereads = 0
    private let bytes: [UInt8]
    private var offset: UInt64
    private let end: UInt64
    private let whole: Bool
    private let report: @Sendable (UInt64, Bool) -> Void

    init(bytes: [UInt8], range: Range<UInt64>, report: @escaping @Sendable (UInt64, Bool) -> Void) {
        self.bytes = bytes
        offset = range.lowerBound
        end = min(range.upperBound, UInt64(bytes.count))
        whole = range.lowerBound == 0
        self.report = report
    }

    func next() async throws(RecorderError) -> RecordingChunk? {
        guard offset < end else { return nil }
        let n = min(end - offset, 65536)
        let chunk = RecordingChunk(offset: offset, data: bytes[Int(offset) ..< Int(offset + n)])
        offset += n
        report(n, whole && offset == end)
        return chunk
    }

    func cancel() {}
}

/// The driver that hands the dock a prepared recorder, whatever the link.
struct PreparedDriver: RecorderDriver {
    let recorder: any Recorder
    var name: String { recorder.info.driver }
    var linkShape: DeviceLink.Shape { .stream }
    func open(_ link: DeviceLink, options: DriverOptions) async throws(RecorderError) -> any Recorder { recorder }
}

/// A link that carries nothing: the prepared recorder never uses it.
struct NoLink: RecorderLink {
    var description: String { "no link" }
    func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) { throw LinkError.closed }
    func receive() async throws(LinkError) -> [UInt8] { throw LinkError.closed }
    func close() async {}
}
