/// What a catalog entry holds. An open set: an unknown kind from a newer device is kept by
/// number and still ingested, never dropped.
public struct RecordingKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let video = RecordingKind(rawValue: 1)
    public static let audio = RecordingKind(rawValue: 2)
    public static let photo = RecordingKind(rawValue: 3)
    public static let gpsLog = RecordingKind(rawValue: 4)
    public static let timeLog = RecordingKind(rawValue: 5)
    public static let eventLog = RecordingKind(rawValue: 6)

    /// The kinds this version names, with their names as used in scenario files and JSON.
    public static let named: [(RecordingKind, String)] = [
        (.video, "video"), (.audio, "audio"), (.photo, "photo"),
        (.gpsLog, "gps-log"), (.timeLog, "time-log"), (.eventLog, "event-log"),
    ]

    /// The kind named `name` ("gps-log"), or nil.
    public init?(name: String) {
        guard let match = RecordingKind.named.first(where: { $0.1 == name }) else { return nil }
        self = match.0
    }

    /// "video", or "kind-7" for a number this version does not name.
    public var description: String {
        RecordingKind.named.first(where: { $0.0 == self })?.1 ?? "kind-\(rawValue)"
    }
}

/// One recording or log as the device lists it. Every field is the device's claim and is
/// untrusted: the path may be hostile, the size may lie, the times come from its clock.
///
/// ```
/// u32  id            the device's handle for READ and RELEASE, unique within the catalog
/// u8   kind          RecordingKind
/// u8   flags         bit 0 important (marked by the officer), bit 1 sha256 present
/// u32  sequence      the device's running recording number (gaps suggest deletions)
/// u64  size          bytes
/// i64  start         device clock, UTC milliseconds
/// i64  end           device clock, UTC milliseconds
/// 32   sha256        the device's SHA-256 of the file, zeros when flag bit 1 is clear
/// u16  pathLength
/// ...  path          relative path on the device, UTF-8, '/'-separated
/// ```
public struct CatalogEntry: Hashable, Sendable {
    public var id: UInt32
    public var kind: RecordingKind
    public var important: Bool
    public var sequence: UInt32
    public var size: UInt64
    public var startMilliseconds: Int64
    public var endMilliseconds: Int64
    /// The device's SHA-256 of the file, when it keeps one.
    public var deviceSHA256: [UInt8]?
    /// The path bytes exactly as sent. Kept raw because a hostile or broken device may send
    /// invalid UTF-8, NUL bytes or `..`; the evidence layer sanitises, the protocol does not.
    public var pathBytes: [UInt8]

    public init(id: UInt32, kind: RecordingKind, important: Bool = false, sequence: UInt32,
                size: UInt64, startMilliseconds: Int64, endMilliseconds: Int64,
                deviceSHA256: [UInt8]?, path: [UInt8]) {
        self.id = id
        self.kind = kind
        self.important = important
        self.sequence = sequence
        self.size = size
        self.startMilliseconds = startMilliseconds
        self.endMilliseconds = endMilliseconds
        self.deviceSHA256 = deviceSHA256
        self.pathBytes = path
    }

    /// The path for display: invalid UTF-8 replaced by U+FFFD. Never use it to build a file name
    /// without sanitising.
    public var path: String { String(decoding: pathBytes, as: UTF8.self) }

    func encode(into w: inout ByteWriter) {
        w.u32(id)
        w.u8(kind.rawValue)
        w.u8((important ? 1 : 0) | (deviceSHA256 != nil ? 2 : 0))
        w.u32(sequence)
        w.u64(size)
        w.i64(startMilliseconds)
        w.i64(endMilliseconds)
        w.bytes(deviceSHA256 ?? [UInt8](repeating: 0, count: 32))
        w.lengthPrefixed(pathBytes)
    }

    init(from r: inout ByteReader, index: Int) throws(MessageError) {
        let p = "entries[\(index)]."
        id = try r.u32(p + "id")
        kind = RecordingKind(rawValue: try r.u8(p + "kind"))
        let flags = try r.u8(p + "flags")
        important = flags & 1 != 0
        sequence = try r.u32(p + "sequence")
        size = try r.u64(p + "size")
        startMilliseconds = try r.i64(p + "start")
        endMilliseconds = try r.i64(p + "end")
        let hash = try r.bytes(32, p + "sha256")
        deviceSHA256 = flags & 2 != 0 ? hash : nil
        pathBytes = try r.lengthPrefixed(p + "path")
        if pathBytes.isEmpty {
            throw r.fail(p + "path", "is empty")
        }
    }
}

/// CATALOG request: one page of the catalog.
///
/// ```
/// u32  cursor       0 for the first page, then the previous reply's nextCursor
/// u16  maxEntries   at most this many entries (≥ 1)
/// ```
public struct CatalogRequest: RequestMessage {
    public static let opcode = Opcode.catalog
    public var cursor: UInt32
    public var maxEntries: UInt16

    public init(cursor: UInt32, maxEntries: UInt16) {
        self.cursor = cursor
        self.maxEntries = maxEntries
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        cursor = try r.u32("cursor")
        maxEntries = try r.u16("maxEntries")
        try r.finish()
        if maxEntries == 0 { throw r.fail("maxEntries", "is 0") }
    }

    public func encode(into w: inout ByteWriter) {
        w.u32(cursor)
        w.u16(maxEntries)
    }
}

/// CATALOG reply: one page.
///
/// ```
/// u32  nextCursor   0xFFFFFFFF when this is the last page
/// u16  count        entries that follow (≤ the request's maxEntries)
/// ...  entries      count × CatalogEntry
/// ```
public struct CatalogPage: ReplyMessage {
    public static let opcode = Opcode.catalog
    /// The `nextCursor` value that marks the last page.
    public static let end: UInt32 = 0xFFFF_FFFF

    public var nextCursor: UInt32
    public var entries: [CatalogEntry]

    public init(nextCursor: UInt32, entries: [CatalogEntry]) {
        self.nextCursor = nextCursor
        self.entries = entries
    }

    public var isLast: Bool { nextCursor == CatalogPage.end }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        nextCursor = try r.u32("nextCursor")
        let count = Int(try r.u16("count"))
        // An entry is at least 68 bytes; a count that cannot fit is rejected before allocating.
        if count * 68 > r.remaining {
            throw r.fail("count", "is \(count) but only \(r.remaining) bytes follow")
        }
        var list: [CatalogEntry] = []
        list.reserveCapacity(count)
        for i in 0..<count {
            list.append(try CatalogEntry(from: &r, index: i))
        }
        try r.finish()
        entries = list
    }

    public func encode(into w: inout ByteWriter) {
        w.u32(nextCursor)
        w.u16(UInt16(entries.count))
        for e in entries { e.encode(into: &w) }
    }
}
