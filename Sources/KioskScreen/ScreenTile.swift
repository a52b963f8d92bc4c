import Foundation

/// One bay as the service knows it, the input of the screen and the metrics. Plain values,
/// so that this module needs nothing of the dock's.
public struct BayView: Sendable, Equatable {
    public var bay: String
    public var serial: String?
    public var officerNumber: String?
    public var officerName: String?
    /// The dock phase (`identifying` … `done`, `interrupted`, `error`).
    public var phase: String
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
    public var started: Date
    public var ended: Date?
    /// Why the dock stopped, or what a finished dock has to add.
    public var note: String
    /// Device minus gateway, milliseconds; nil when the clock was not read.
    public var clockOffsetMilliseconds: Double?

    public init(bay: String, serial: String?, officerNumber: String?, officerName: String?, phase: String,
                bytesDone: UInt64, bytesTotal: UInt64, started: Date, ended: Date?, note: String,
                clockOffsetMilliseconds: Double?) {
        self.bay = bay
        self.serial = serial
        self.officerNumber = officerNumber
        self.officerName = officerName
        self.phase = phase
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.started = started
        self.ended = ended
        self.note = note
        self.clockOffsetMilliseconds = clockOffsetMilliseconds
    }
}

/// One tile of the officer's screen, as the page receives it (JSON) and draws it with text
/// nodes only: every string here may come from a recorder and is never markup.
public struct ScreenTile: Codable, Sendable, Equatable {
    public var bay: String
    public var officerName: String?
    public var officerNumber: String?
    public var serial: String?
    public var state: TileState
    public var chinese: String
    public var english: String
    public var symbol: String
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
    /// 0...100.
    public var percent: Int
    /// Seconds still to come at the rate so far; nil when there is nothing to estimate.
    public var secondsLeft: Int?
    /// For a dock that stopped or failed, why, shortened for the screen.
    public var detail: String?
    /// When the dock ended (ISO 8601, UTC): the tile then shows that dock's result.
    public var ended: String?

    /// The most seconds left that are shown; beyond, the page says "more than 99 hours".
    public static let longestWait = 99 * 3600
    /// The longest detail shown, in characters.
    public static let longestDetail = 160
    /// The longest name, number or serial shown, in characters: they come from the recorder,
    /// which may say anything, and every update carries them (up to four a second).
    public static let longestName = 64

    /// The tile for `bay` as it stands at `now`.
    public init(_ bay: BayView, now: Date) {
        self.bay = bay.bay
        officerName = bay.officerName.flatMap { $0.isEmpty ? nil : Self.shortened($0, to: Self.longestName) }
        officerNumber = bay.officerNumber.map { Self.shortened($0, to: Self.longestName) }
        serial = bay.serial.map { Self.shortened($0, to: Self.longestName) }
        state = TileState(phase: bay.phase)
        chinese = state.chinese
        english = state.english
        symbol = state.symbol
        bytesDone = bay.bytesDone
        bytesTotal = bay.bytesTotal
        if bay.bytesTotal > 0 {
            percent = Int(min(100, (Double(bay.bytesDone) * 100 / Double(bay.bytesTotal)).rounded(.down)))
        } else {
            percent = state == .safeToTake ? 100 : 0
        }
        secondsLeft = state.keepDocked ? Self.secondsLeft(bay, now: now) : nil
        let why = bay.note.trimmingCharacters(in: .whitespacesAndNewlines)
        detail = state == .reading || state == .verifying || why.isEmpty ? nil : Self.shortened(why, to: Self.longestDetail)
        ended = bay.ended.map { ISO8601DateFormatter().string(from: $0) }
    }

    /// `text`, or its first `limit - 1` characters and "…".
    static func shortened(_ text: String, to limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// At the rate since the dock began, bounded; nil before there is a rate or when nothing is left.
    static func secondsLeft(_ bay: BayView, now: Date) -> Int? {
        let elapsed = now.timeIntervalSince(bay.started)
        guard bay.bytesTotal > bay.bytesDone, bay.bytesDone > 0, elapsed > 0 else { return nil }
        let rate = Double(bay.bytesDone) / elapsed
        let seconds = Double(bay.bytesTotal - bay.bytesDone) / rate
        guard seconds.isFinite else { return nil }
        return seconds >= Double(longestWait) ? longestWait : Int(seconds.rounded(.up))
    }
}

/// A word about the kiosk's own store, shown above the tiles when it is filling up.
public struct StoreNotice: Codable, Sendable, Equatable {
    /// `high` (past the high watermark) or `critical` (docks are refused).
    public var level: String
    /// Percent of the store's file system in use, one decimal.
    public var usedPercent: Double
    public var chinese: String
    public var english: String

    /// The notice for `level` (`normal`, `high`, `critical`) at `used` (0...1); nil for normal.
    public init?(level: String, used: Double) {
        self.level = level
        usedPercent = (used * 1000).rounded() / 10
        switch level {
        case "high":
            chinese = "存储空间即将用尽，请联系管理员"
            english = "The kiosk's storage is nearly full: tell a technician"
        case "critical":
            chinese = "存储空间已满，暂停采集，请勿插入记录仪"
            english = "The kiosk's storage is full: docking is paused, recorders keep their footage"
        default:
            return nil
        }
    }
}

/// What the page receives on each update: every tile, in bay order.
public struct ScreenUpdate: Codable, Sendable, Equatable {
    public var tiles: [ScreenTile]
    /// The gateway's name (configured `gateway-id`), shown in the page's corner.
    public var gateway: String
    /// Said when the store is past a watermark; absent otherwise.
    public var store: StoreNotice?

    public init(bays: [BayView], gateway: String, now: Date, store: StoreNotice? = nil) {
        tiles = bays.map { ScreenTile($0, now: now) }
        self.gateway = gateway
        self.store = store
    }

    /// The update as one line of JSON (sorted keys), for a `data:` field.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and numbers cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The update as one server-sent event (`data: …` then a blank line).
    public func event() -> [UInt8] {
        Array("data: \(json())\n\n".utf8)
    }
}
