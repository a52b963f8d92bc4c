import Calendrical
import GatewayCrypto
import RecorderHAL
import Volumes

/// A mass-storage recorder's catalog: every file on its volumes as a `CatalogEntry`, and where
/// each one's bytes are on the medium. Pure.
///
/// A volume keeps no recording ids, hashes or running numbers, so this family makes them:
/// - `id`: FNV-1a of the entry's path, so the same file keeps its id from dock to dock;
///   collisions move to the next free id in path order (rare: a dock of 50,000 files has about
///   one chance in four of one). The id is a handle, not a name: what a file is, for the ledger
///   and the custody record, is its path and size.
/// - `sequence`: the file's place in path order, from 1. A volume has no running number, so the
///   report's sequence checks say nothing about deletions on this family.
/// - `kind`: from the top directory the recorder writes it to (`GPS/`) or the extension.
/// - times: creation and last modification, in the zone the volume records (exFAT) or else
///   `utcOffsetMinutes`, the zone the recorder's clock keeps (FAT records none).
/// - `sourceKey`: what makes a file the same one at the next dock (`sourceKey(...)`), since the
///   id alone (a hash of the path) would take a new file at an old one's path for the old one.
public struct VolumeCatalog: Sendable {
    /// One file, with the volume it is on.
    public struct Item: Sendable {
        public var entry: CatalogEntry
        public var file: VolumeFile
        /// Index into `volumes`.
        public var volume: Int
    }

    public let volumes: [VolumeIdentity]
    /// In id order.
    public let items: [Item]
    /// What every volume's reader found wrong, each with its volume's index.
    public let anomalies: [(volume: Int, anomaly: VolumeAnomaly)]

    /// The catalog of `listings`. Each entry's path is its path on its volume: with more than
    /// one volume, two entries may have the same path (the dock seals one bag per volume). The
    /// id and the source key are taken from the path qualified by the volume, `volume-N/` first
    /// (N from 1, in partition order) when there is more than one, so they stay unique and
    /// stay what they were before paths lost that prefix.
    public init(listings: [VolumeListing], utcOffsetMinutes: Int) {
        volumes = listings.map(\.volume)
        anomalies = listings.enumerated().flatMap { v, listing in listing.anomalies.map { (v, $0) } }
        var found: [(qualified: [UInt8], path: [UInt8], file: VolumeFile, volume: Int)] = []
        for (v, listing) in listings.enumerated() {
            let prefix = listings.count > 1 ? "volume-\(v + 1)/" : ""
            for file in listing.files {
                let path = file.pathString
                found.append((Array((prefix + path).utf8), Array(path.utf8), file, v))
            }
        }
        found.sort { $0.qualified.lexicographicallyPrecedes($1.qualified) }
        var ids = FreeIds()
        var items: [Item] = []
        items.reserveCapacity(found.count)
        for (n, f) in found.enumerated() {
            let id = ids.take(from: Self.fnv1a(f.qualified))
            let created = f.file.created.flatMap { Self.utcMilliseconds($0, defaultOffset: utcOffsetMinutes) }
            let modified = f.file.modified.flatMap { Self.utcMilliseconds($0, defaultOffset: utcOffsetMinutes) }
            let entry = CatalogEntry(id: id, kind: Self.kind(path: f.file.path), sequence: UInt32(clamping: n + 1),
                                     size: f.file.size,
                                     startMilliseconds: created ?? modified ?? 0, endMilliseconds: modified ?? created ?? 0,
                                     deviceSHA256: nil, path: f.path,
                                     sourceKey: Self.sourceKey(volume: f.volume, identity: listings[f.volume].volume,
                                                               path: f.qualified, file: f.file))
            items.append(Item(entry: entry, file: f.file, volume: f.volume))
        }
        self.items = items.sorted { $0.entry.id < $1.entry.id }
    }

    /// The item with `id`, by binary search.
    public func item(_ id: UInt32) -> Item? {
        var low = 0, high = items.count
        while low < high {
            let mid = (low + high) / 2
            if items[mid].entry.id < id { low = mid + 1 } else { high = mid }
        }
        return low < items.count && items[low].entry.id == id ? items[low] : nil
    }

    /// The kind a recorder's layout gives a file: what is under `GPS/` is a GPS log; otherwise
    /// the extension says; anything else is kept as "file" (and still collected).
    public static func kind(path: [String]) -> RecordingKind {
        let top = path.count > 1 ? path[0].uppercased() : ""
        let name = path.last ?? ""
        let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
        if top == "GPS" || ["nmea", "nma", "gps"].contains(ext) { return .gpsLog }
        switch ext {
        case "mp4", "mov", "avi", "ts", "mts", "mkv", "264", "h264", "265", "h265": return .video
        case "jpg", "jpeg", "png", "bmp", "heic": return .photo
        case "wav", "mp3", "aac", "amr", "m4a", "opus": return .audio
        case "log" where top == "LOG": return .eventLog
        default: return RecordingKind(rawValue: "file")
        }
    }

    /// UTC milliseconds of a volume's civil time stamp, or nil when it names no real instant.
    /// Every field is bounded before any arithmetic (a hostile year or offset cannot overflow).
    static func utcMilliseconds(_ t: VolumeTimestamp, defaultOffset: Int) -> Int64? {
        let offset = t.utcOffsetMinutes ?? defaultOffset
        guard (1...9999).contains(t.year), (-1440...1440).contains(offset), (1...12).contains(t.month), (1...CivilCalendar.daysIn(month: t.month, year: t.year)).contains(t.day),
              (0..<24).contains(t.hour), (0..<60).contains(t.minute), (0..<60).contains(t.second),
              (0..<1000).contains(t.millisecond) else { return nil }
        let days = CivilCalendar.days(year: Int64(t.year), month: Int64(t.month), day: Int64(t.day))
        let local = ((days * 24 + Int64(t.hour)) * 60 + Int64(t.minute)) * 60 + Int64(t.second)
        return (local - Int64(offset) * 60) * 1000 + Int64(t.millisecond)
    }

    /// SHA-256 over what places this file on this volume: the volume's index, serial and offset,
    /// the qualified path's bytes (`volume-N/` first on a medium of several volumes), the size, the first cluster and the raw time stamps (every field,
    /// zone included, before any conversion). A file rewritten at the same path with the same
    /// size gets other clusters or other times, so another key; the same file, undisturbed, keeps
    /// its key from dock to dock. Each part is written with its length or at a fixed width, so
    /// no two different inputs give the same bytes.
    public static func sourceKey(volume: Int, identity: VolumeIdentity, path: [UInt8], file: VolumeFile) -> [UInt8] {
        var bytes = Array("mass-storage-source-key/1".utf8)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        func put(_ t: VolumeTimestamp?) {
            guard let t else { bytes.append(0); return }
            bytes.append(1)
            for field in [t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond] { put(Int64(field)) }
            if let zone = t.utcOffsetMinutes { bytes.append(1); put(Int64(zone)) } else { bytes.append(0) }
        }
        put(UInt64(volume))
        put(identity.serial)
        put(identity.offset)
        put(UInt64(path.count))
        bytes += path
        put(file.size)
        put(file.firstCluster)
        put(file.modified)
        put(file.created)
        return SHA256Hasher.hash(bytes)
    }

    /// The ids handed out so far, and the first free id at or after any one (wrapping after
    /// `UInt32.max`): what stepping up one id at a time from a taken one finds, without the walk.
    /// A medium's names choose the hashes, so a run of colliding paths must not cost a walk
    /// through every id taken before it (100,000 files would be 5 billion steps).
    struct FreeIds {
        /// For each id taken, one after it with every id between them taken too.
        private var after: [UInt32: UInt32] = [:]

        /// Takes and returns the first free id at or after `start`.
        mutating func take(from start: UInt32) -> UInt32 {
            var id = start
            var passed: [UInt32] = []
            while let next = after[id] {
                passed.append(id)
                id = next
            }
            after[id] = id &+ 1
            for p in passed { after[p] = id &+ 1 }
            return id
        }
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in bytes { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return h
    }
}
