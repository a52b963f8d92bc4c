import Evidence
import EvidenceStore
import Forwarding
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
import Settings

/// Everything a dock session needs from the gateway around it.
public struct IngestContext: Sendable {
    public var config: GatewayConfig
    public var journal: Journal
    public var store: LocalStore
    public var audit: AuditLogFile
    public var key: Ed25519PrivateKey
    public var progress: ProgressBoard
    public var driverOptions: DriverOptions
    /// How many CLOCK_GET samples to take; the one with the smallest round trip counts.
    public var clockSamples = 5
    /// The forward queue, when bags also go to a remote evidence store.
    public var forwarder: Forwarder?
    /// How full the store is against its watermarks: a dock is refused past the critical one.
    public var capacity: CapacityWatch
    /// Local retention passes run one at a time (`BagPruner.run`).
    public let pruning = Turnstile()
    /// Vendor recorders: password, the wait for their return, the assignment table.
    public var vendor = VendorDockSettings()

    public init(config: GatewayConfig, journal: Journal, store: LocalStore, audit: AuditLogFile,
                key: Ed25519PrivateKey, progress: ProgressBoard, driverOptions: DriverOptions) {
        self.config = config
        self.journal = journal
        self.store = store
        self.audit = audit
        self.key = key
        self.progress = progress
        self.driverOptions = driverOptions
        capacity = CapacityWatch(path: store.root, watermarks: config.storeWatermarks)
    }
}

extension IngestContext {
    /// Queues the sealed bag of `session` for forwarding (nothing without a remote store), in its
    /// place by importance, which the journal's rows of its files say (`holdsImportant`): for a
    /// bag sealed by an earlier run or committed by recovery, whose files this run never held.
    func enqueueSealed(_ session: Journal.Session) async throws {
        guard let forwarder else { return }
        try await forwarder.enqueue(bag: session.bagName, important: try journal.holdsImportant(session: session.id))
    }
}

/// What the journal keeps about a session beyond its rows: each dock's story and the anomalies
/// of earlier docks. (Each file's catalog listing is in its row, `Journal.File.listing`.)
struct SessionMeta: Codable {
    struct Dock: Codable {
        var bay: String
        var startUTC: String
        var endUTC: String?
        var result: String?
    }

    var docks: [Dock] = []
    /// Anomalies of earlier, interrupted docks of this session, so the sealed record has them.
    var anomalies: [Anomaly]? = nil

    static func decode(_ text: String) -> SessionMeta {
        (try? JSONDecoder().decode(SessionMeta.self, from: Data(text.utf8))) ?? SessionMeta()
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// `yyyyMMdd'T'HHmmss'Z'`, for bag names.
func compactUTC(_ date: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return f.string(from: date)
}
