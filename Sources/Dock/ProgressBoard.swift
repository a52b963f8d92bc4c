import Control
import Foundation
import KioskScreen

/// Live state of every bay, written by dock sessions and read by displays (the terminal view,
/// the control socket, the officer's screen and the metrics). Thread-safe.
public final class ProgressBoard: @unchecked Sendable {
    /// What one bay is doing.
    public struct Bay: Sendable, Equatable {
        public var bay: String
        public var serial: String?
        public var officer: String?
        /// The officer's name as the recorder gives it, for the officer's screen.
        public var officerName: String?
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
        /// A device in the bay the gateway will not read (a USB stick, a card reader, a
        /// recorder's disk that did not arrive through an unlock there): nothing was opened.
        case refused
    }

    /// What the docks that ended since the service started add up to: the metrics' own type,
    /// so `/metrics` reports exactly what is counted here, with no copy field by field.
    public typealias Totals = MetricsInput.Totals

    /// One lock for the bays, the totals and the change count; waiters for a change wait on it.
    private let condition = NSCondition()
    private var bays: [String: Bay] = [:]
    private var order: [String] = []
    private var totals = Totals()
    /// Moves on with every change, so a reader can wait for the next one.
    private var version: UInt64 = 0

    public init() {}

    public func update(_ bay: String, _ change: (inout Bay) -> Void) {
        condition.lock()
        defer {
            version &+= 1
            condition.broadcast()
            condition.unlock()
        }
        if bays[bay] == nil {
            bays[bay] = Bay(bay: bay, phase: .identifying)
            order.append(bay)
        }
        change(&bays[bay]!)
        if [.done, .interrupted, .error, .refused].contains(bays[bay]!.phase), bays[bay]!.ended == nil {
            bays[bay]!.ended = Date()
        }
    }

    /// Adds a dock that ended to the totals.
    public func record(_ outcome: DockOutcome, phase: Phase) {
        condition.lock()
        defer {
            version &+= 1
            condition.broadcast()
            condition.unlock()
        }
        totals.docks[phase.rawValue, default: 0] += 1
        totals.files += outcome.files
        totals.verified += outcome.verified
        totals.quarantined += outcome.quarantined
        totals.incomplete += outcome.incomplete
        totals.released += outcome.released
        totals.bytes &+= outcome.bytes
        let now = Date()
        for anomaly in outcome.anomalies {
            totals.anomalies[anomaly.code, default: 0] += 1
            totals.lastAnomaly[anomaly.code] = now
        }
    }

    /// Every bay, in the order they first appeared.
    public func snapshot() -> [Bay] {
        condition.lock()
        defer { condition.unlock() }
        return order.compactMap { bays[$0] }
    }

    /// The totals so far.
    public func currentTotals() -> Totals {
        condition.lock()
        defer { condition.unlock() }
        return totals
    }

    /// The change count now: pass it to `waitForChange(after:until:)`.
    public var currentVersion: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return version
    }

    /// Blocks the calling thread (never a cooperative one) until something changed after
    /// `seen`, `deadline` passed, or `stop()` holds after a `wake()`; returns the change count
    /// then.
    public func waitForChange(after seen: UInt64, until deadline: Date, unless stop: () -> Bool) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        while version == seen, !stop(), condition.wait(until: deadline) {}
        return version
    }

    /// Wakes every waiter of `waitForChange` to look at its `stop` again (a reader going away).
    /// Set what `stop` reads before calling this.
    public func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
