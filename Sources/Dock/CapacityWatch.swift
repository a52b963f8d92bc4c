import EvidenceStore
import Foundation
import Settings

/// Watches how full the local store is and says so when its level changes: in the journal,
/// with systemd's priority prefixes (`<4>` warning past the high watermark, `<2>` critical,
/// `<5>` notice when back below), so that `journalctl -p warning` finds it.
public final class CapacityWatch: @unchecked Sendable {
    /// A reading: the fill (nil when the file system cannot be asked) and its level.
    public struct Reading: Sendable, Equatable {
        public var fill: StoreFill?
        public var level: CapacityLevel
    }

    public let path: String
    public let watermarks: StoreWatermarks
    private let measure: @Sendable (String) -> StoreFill?
    private let lock = NSLock()
    private var lastLevel: CapacityLevel = .normal

    public init(path: String, watermarks: StoreWatermarks, measure: @escaping @Sendable (String) -> StoreFill? = StoreFill.of) {
        self.path = path
        self.watermarks = watermarks
        self.measure = measure
    }

    /// Reads the fill now, and logs when the level changed since the last reading. A file
    /// system that cannot be asked counts as normal: the write that fails says why.
    public func check() -> Reading {
        let fill = measure(path)
        let level = fill.map { watermarks.level(used: $0.used) } ?? .normal
        lock.lock()
        let previous = lastLevel
        lastLevel = level
        lock.unlock()
        if level != previous, let fill {
            FileHandle.standardError.write(Data((Self.message(level: level, previous: previous, fill: fill, path: path, watermarks: watermarks) + "\n").utf8))
        }
        return Reading(fill: fill, level: level)
    }

    /// Why a dock is refused at `reading`, for the screen, the audit log and the outcome; nil
    /// below the critical watermark.
    public func refusal(_ reading: Reading) -> String? {
        guard reading.level == .critical, let fill = reading.fill else { return nil }
        return "the kiosk's store is \(Self.percent(fill.used)) full (\(Self.gib(fill.freeBytes)) free; new docks stop at \(Self.percent(watermarks.critical))): "
            + "nothing was read, the recorder keeps its footage; a technician must free space or forward the bags"
    }

    public static func message(level: CapacityLevel, previous: CapacityLevel, fill: StoreFill, path: String, watermarks: StoreWatermarks) -> String {
        let where_ = "the store \(path) is \(Self.percent(fill.used)) full, \(Self.gib(fill.freeBytes)) free"
        switch level {
        case .critical:
            return "<2>recorder-gatewayd: \(where_): past the critical watermark \(Self.percent(watermarks.critical)); new docks are refused until there is room"
        case .high:
            return previous == .critical
                ? "<5>recorder-gatewayd: \(where_): below the critical watermark again; docks are taken, past the high watermark \(Self.percent(watermarks.high))"
                : "<4>recorder-gatewayd: \(where_): past the high watermark \(Self.percent(watermarks.high)); new docks stop at \(Self.percent(watermarks.critical))"
        case .normal:
            return "<5>recorder-gatewayd: \(where_): below the high watermark \(Self.percent(watermarks.high)) again"
        }
    }

    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }

    static func gib(_ bytes: UInt64) -> String {
        String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
}
