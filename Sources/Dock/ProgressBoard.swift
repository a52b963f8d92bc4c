import Control
import Foundation

/// Live state of every bay, written by dock sessions and read by displays (the terminal view,
/// later the control socket). Thread-safe.
public final class ProgressBoard: @unchecked Sendable {
    /// What one bay is doing.
    public struct Bay: Sendable, Equatable {
        public var bay: String
        public var serial: String?
        public var officer: String?
        public var phase: Phase
        public var bytesDone: UInt64 = 0
        public var bytesTotal: UInt64 = 0
        public var started: Date = Date()
        /// When the bay reached done, interrupted or error.
        public var ended: Date?
        public var note: String = ""
        /// From STATUS, when the recorder answered it.
        public var batteryPercent: Int?
        public var storageFreeBytes: UInt64?
        public var clockOffsetMilliseconds: Double?
        /// The bag of the session, once known (with several volumes, the volume's being docked).
        public var bag: String?
        /// The bags the dock has sealed so far (names), in the medium's order.
        public var bags: [String] = []
        /// What `recorderctl diagnose` reports about the dock.
        public var diagnostics = DockDiagnostics()
    }

    public enum Phase: String, Sendable {
        case identifying, authenticating, cataloguing, ingesting, verifying, finalizing, forwarding, releasing, done, interrupted, error
    }

    private let lock = NSLock()
    private var bays: [String: Bay] = [:]
    private var order: [String] = []

    public init() {}

    public func update(_ bay: String, _ change: (inout Bay) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        if bays[bay] == nil {
            bays[bay] = Bay(bay: bay, phase: .identifying)
            order.append(bay)
        }
        change(&bays[bay]!)
        if [.done, .interrupted, .error].contains(bays[bay]!.phase), bays[bay]!.ended == nil {
            bays[bay]!.ended = Date()
        }
    }

    /// Every bay, in the order they first appeared.
    public func snapshot() -> [Bay] {
        lock.lock()
        defer { lock.unlock() }
        return order.compactMap { bays[$0] }
    }
}
