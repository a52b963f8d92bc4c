import Foundation

/// What `/metrics` reports, gathered by the service at the moment of the scrape.
public struct MetricsInput: Sendable {
    /// Totals since the service started (Prometheus counters reset with the process).
    public struct Totals: Sendable, Equatable {
        /// Docks that ended, by result: `done`, `interrupted`, `error`.
        public var docks: [String: Int] = [:]
        /// Recordings in sealed bags, and of them: verified, quarantined, incomplete.
        public var files = 0
        public var verified = 0
        public var quarantined = 0
        public var incomplete = 0
        /// Recordings freed on recorders after a verified copy existed.
        public var released = 0
        /// Bytes pulled from recorders and kept.
        public var bytes: UInt64 = 0
        /// Anomalies by code (`hash-mismatch`, `read-failed`, `disk-full`, …), and when each
        /// code was last seen.
        public var anomalies: [String: Int] = [:]
        public var lastAnomaly: [String: Date] = [:]

        public init() {}
    }

    /// The forward queue, when the gateway forwards.
    public struct ForwardQueue: Sendable, Equatable {
        /// Bags with an object not yet verified in the evidence store, and their bytes still to send.
        public var bags: Int
        public var bytes: UInt64
        /// Objects whose last attempt failed.
        public var failedObjects: Int
        /// When the oldest bag still waiting was sealed; nil when none waits.
        public var oldestWaitingSince: Date?

        public init(bags: Int, bytes: UInt64, failedObjects: Int, oldestWaitingSince: Date?) {
            self.bags = bags
            self.bytes = bytes
            self.failedObjects = failedObjects
            self.oldestWaitingSince = oldestWaitingSince
        }
    }

    public var bays: [BayView]
    public var totals: Totals
    public var forwardQueue: ForwardQueue?
    /// The local store's file system: bytes free to the gateway, and its size.
    public var storeFreeBytes: UInt64?
    public var storeSizeBytes: UInt64?
    /// The store's level against its watermarks (`normal`, `high`, `critical`) and the
    /// watermarks themselves (fractions in use).
    public var storeLevel: String = "normal"
    public var watermarks: (high: Double, critical: Double)?
    public var started: Date
    public var now: Date
    public var version: String

    public init(bays: [BayView], totals: Totals, forwardQueue: ForwardQueue?, storeFreeBytes: UInt64?, storeSizeBytes: UInt64?,
                started: Date, now: Date, version: String) {
        self.bays = bays
        self.totals = totals
        self.forwardQueue = forwardQueue
        self.storeFreeBytes = storeFreeBytes
        self.storeSizeBytes = storeSizeBytes
        self.started = started
        self.now = now
        self.version = version
    }
}

/// The gateway's metrics for a fleet's monitoring (Docs/operations.md, "Metrics"): names in
/// Prometheus's conventions, `recorder_gateway_` first, base units (bytes, seconds) in the
/// name, counters ending in `_total`. Every family is always present (with zero samples where
/// there is nothing to count), so that alert rules never meet a missing series.
public enum GatewayMetrics {
    /// The dock phases, each a `phase` label value of `recorder_gateway_bays`.
    public static let phases = ["identifying", "authenticating", "cataloguing", "ingesting", "verifying", "finalizing",
                                "forwarding", "releasing", "done", "interrupted", "error", "refused"]

    public static func families(_ input: MetricsInput) -> [MetricFamily] {
        let t = input.totals
        var out: [MetricFamily] = []
        out.append(MetricFamily("recorder_gateway_build_info", .gauge, "The gateway's version; always 1.",
                                [.init([("version", input.version)], 1)]))
        out.append(MetricFamily("recorder_gateway_start_time_seconds", .gauge, "When the service started, seconds since the Unix epoch.",
                                [.init(input.started.timeIntervalSince1970.rounded())]))
        var byPhase = Dictionary(uniqueKeysWithValues: phases.map { ($0, 0) })
        for bay in input.bays { byPhase[bay.phase, default: 0] += 1 }
        out.append(MetricFamily("recorder_gateway_bays", .gauge,
                                "Bays by the phase of their current or last dock (done, interrupted and error are the last dock's result).",
                                byPhase.keys.sorted { (phases.firstIndex(of: $0) ?? .max, $0) < (phases.firstIndex(of: $1) ?? .max, $1) }
                                    .map { .init([("phase", $0)], Double(byPhase[$0]!)) }))
        out.append(MetricFamily("recorder_gateway_bay_info", .gauge,
                                "One series per bay: its recorder's serial and the phase of its current or last dock; always 1.",
                                input.bays.map { .init([("bay", $0.bay), ("serial", $0.serial ?? ""), ("phase", $0.phase)], 1) }))
        out.append(MetricFamily("recorder_gateway_bay_clock_offset_seconds", .gauge,
                                "The recorder's clock minus the gateway's at the bay's last dock, before correction; absent when the clock was not read.",
                                input.bays.compactMap { b in b.clockOffsetMilliseconds.map { .init([("bay", b.bay)], $0 / 1000) } }))
        out.append(MetricFamily("recorder_gateway_docks_total", .counter, "Docks that ended, by result.",
                                ["done", "interrupted", "error"].map { .init([("result", $0)], Double(t.docks[$0] ?? 0)) }))
        out.append(MetricFamily("recorder_gateway_recordings_total", .counter,
                                "Recordings in sealed bags, by outcome: verified, quarantined (the device's hash disagreed twice), incomplete (the device would not give them whole).",
                                [("verified", t.verified), ("quarantined", t.quarantined), ("incomplete", t.incomplete)]
                                    .map { .init([("outcome", $0.0)], Double($0.1)) }))
        out.append(MetricFamily("recorder_gateway_recordings_released_total", .counter,
                                "Recordings the recorders freed after a verified copy existed.", [.init(Double(t.released))]))
        out.append(MetricFamily("recorder_gateway_ingested_bytes_total", .counter, "Bytes pulled from recorders and kept.",
                                [.init(Double(t.bytes))]))
        out.append(MetricFamily("recorder_gateway_anomalies_total", .counter,
                                "Anomalies by code (Docs/evidence-format.md): every error a dock ran into, by kind.",
                                t.anomalies.keys.sorted().map { .init([("code", $0)], Double(t.anomalies[$0]!)) }))
        out.append(MetricFamily("recorder_gateway_anomaly_last_time_seconds", .gauge,
                                "When an anomaly of each code was last seen, seconds since the Unix epoch.",
                                t.lastAnomaly.keys.sorted().map { .init([("code", $0)], t.lastAnomaly[$0]!.timeIntervalSince1970.rounded()) }))
        if let q = input.forwardQueue {
            out.append(MetricFamily("recorder_gateway_forward_queue_bags", .gauge,
                                    "Bags with an object not yet verified in the evidence store.", [.init(Double(q.bags))]))
            out.append(MetricFamily("recorder_gateway_forward_queue_bytes", .gauge,
                                    "Bytes of objects not yet verified in the evidence store.", [.init(Double(q.bytes))]))
            out.append(MetricFamily("recorder_gateway_forward_failed_objects", .gauge,
                                    "Objects whose last attempt to reach the evidence store failed.", [.init(Double(q.failedObjects))]))
            out.append(MetricFamily("recorder_gateway_forward_oldest_waiting_seconds", .gauge,
                                    "How long the oldest bag not yet in the evidence store has waited since it was sealed; 0 when none waits.",
                                    [.init(q.oldestWaitingSince.map { max(0, input.now.timeIntervalSince($0).rounded()) } ?? 0)]))
        }
        if let free = input.storeFreeBytes {
            out.append(MetricFamily("recorder_gateway_store_free_bytes", .gauge,
                                    "Bytes free to the gateway on the local store's file system.", [.init(Double(free))]))
        }
        out.append(MetricFamily("recorder_gateway_store_capacity_level", .gauge,
                                "The local store against its watermarks: 0 below the high one, 1 past it (warning), 2 past the critical one (new docks refused).",
                                [.init(input.storeLevel == "critical" ? 2 : input.storeLevel == "high" ? 1 : 0)]))
        if let w = input.watermarks {
            out.append(MetricFamily("recorder_gateway_store_watermark_ratio", .gauge,
                                    "The configured watermarks, as fractions of the store's file system in use.",
                                    [.init([("level", "high")], w.high), .init([("level", "critical")], w.critical)]))
        }
        if let size = input.storeSizeBytes {
            out.append(MetricFamily("recorder_gateway_store_size_bytes", .gauge,
                                    "Size of the local store's file system.", [.init(Double(size))]))
        }
        return out
    }
}
