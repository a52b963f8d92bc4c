import Dock
import Foundation
import Journal
import KioskScreen
import Settings
import StatusServer
import Synchronization

/// The officer's screen and the fleet's metrics (Docs/operations.md, "The officer's screen"):
/// `/` the page, `/events` its live updates, `/screen.json` one update, `/metrics` Prometheus.
/// Read-only: every answer is made from the progress board, the journal and the store's file
/// system, and nothing a request carries reaches any of them.
struct StatusService: Sendable {
    let gateway: Gateway
    let progress: ProgressBoard
    let gatewayId: String
    let storePath: String
    let started = Date()

    /// Starts serving at `listen`; nil (said on standard error) when it is off or cannot listen.
    static func start(_ listen: StatusListen, gateway: Gateway, progress: ProgressBoard, config: GatewayConfig) -> StatusHTTPServer? {
        guard case .at(let host, let port) = listen else { return nil }
        let service = StatusService(gateway: gateway, progress: progress, gatewayId: config.gatewayId,
                                    storePath: config.store)
        do {
            let server = try StatusHTTPServer(host: host, port: port) { service.answer($0) }
            let shown = StatusListen.at(host: host, port: server.port)
            log("status page on http://\(shown)/ (metrics: http://\(shown)/metrics)")
            return server
        } catch {
            log("no status page (\(error)); the kiosk screen and /metrics are not served")
            return nil
        }
    }

    func answer(_ request: StatusRequest) -> StatusReply {
        switch request.path {
        case "/", "/index.html": return .document(status: 200, contentType: "text/html; charset=utf-8", body: Array(ScreenAssets.html.utf8))
        case "/screen.css": return .document(status: 200, contentType: "text/css; charset=utf-8", body: Array(ScreenAssets.css.utf8))
        case "/screen.js": return .document(status: 200, contentType: "text/javascript; charset=utf-8", body: Array(ScreenAssets.js.utf8))
        case "/screen.json":
            return .document(status: 200, contentType: "application/json; charset=utf-8", body: Array(screen().json().utf8))
        case "/events":
            guard request.method == "GET" else { return .document(status: 200, contentType: "text/event-stream; charset=utf-8", body: []) }
            return .events(ScreenEvents(service: self))
        case "/metrics":
            return .document(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                             body: Array(MetricFamily.exposition(GatewayMetrics.families(metrics())).utf8))
        default:
            return .document(status: 404, contentType: "text/plain; charset=utf-8",
                             body: Array("404 not here: / is the screen, /metrics the metrics\n".utf8))
        }
    }

    /// Every bay as the screen and the metrics see it.
    func bays() -> [BayView] {
        progress.snapshot().map { b in
            // `b.bay` is already the bay's configured name (`bay.PORT`), or its port.
            BayView(bay: b.bay, serial: b.serial, officerNumber: b.officer, officerName: b.officerName,
                    phase: b.phase.rawValue, bytesDone: b.bytesDone, bytesTotal: b.bytesTotal, started: b.started,
                    ended: b.ended, note: b.note, clockOffsetMilliseconds: b.clockOffsetMilliseconds)
        }
    }

    func screen() -> ScreenUpdate {
        let reading = gateway.context.capacity.check()
        return ScreenUpdate(bays: bays(), gateway: gatewayId, now: Date(),
                            store: reading.fill.flatMap { StoreNotice(level: reading.level.rawValue, used: $0.used) })
    }

    func metrics() -> MetricsInput {
        let totals = progress.currentTotals()
        let capacity = gateway.context.capacity
        let reading = capacity.check()
        var input = MetricsInput(bays: bays(), totals: totals, forwardQueue: forwardQueue(),
                                 storeFreeBytes: reading.fill?.freeBytes, storeSizeBytes: reading.fill?.sizeBytes,
                                 started: started, now: Date(), version: GatewayVersion.text)
        input.storeLevel = reading.level.rawValue
        input.watermarks = (capacity.watermarks.high, capacity.watermarks.critical)
        return input
    }

    /// The forward queue from the journal; nil when the gateway forwards nothing. A bag waits
    /// from when it was sealed: the time of its directory in `bags/`, made read-only then.
    func forwardQueue() -> MetricsInput.ForwardQueue? {
        guard gateway.context.forwarder != nil else { return nil }
        let objects = (try? gateway.journal.forwardObjects()) ?? []
        let waiting = objects.filter { $0.state != .verified }
        let bags = Set(waiting.map(\.bagName))
        let sealed = bags.compactMap { bag in
            (try? FileManager.default.attributesOfItem(atPath: storePath + "/bags/" + bag))?[.modificationDate] as? Date
        }
        return MetricsInput.ForwardQueue(bags: bags.count, bytes: waiting.reduce(0) { $0 &+ $1.size },
                                         failedObjects: waiting.filter { $0.state == .failed }.count,
                                         oldestWaitingSince: sealed.min())
    }
}

/// `/events`: the screen's update at once, then after every change of the board (at most four
/// a second, so that a fast pull does not flood a kiosk's browser), and a comment line every
/// 15 seconds so that a client that went away is noticed. Runs on its connection's thread.
final class ScreenEvents: EventStream {
    private let service: StatusService
    private let closed = Atomic<Bool>(false)
    private let state = Mutex<(seen: UInt64?, lastSent: Date)>((nil, .distantPast))

    static let quietest: TimeInterval = 0.25
    static let keepAlive: TimeInterval = 15

    init(service: StatusService) { self.service = service }

    func next() -> [UInt8]? {
        guard !closed.load(ordering: .acquiring) else { return nil }
        let (seen, lastSent) = state.withLock { $0 }
        guard let seen else {
            // The first message: how long to wait before reconnecting, then the screen. Said in
            // the journal, so a technician sees the kiosk's browser follow (and the full-stack
            // test docks its recorder on this line).
            log("status page: a screen follows /events")
            let version = service.progress.currentVersion
            state.withLock { $0 = (version, Date()) }
            return Array("retry: 3000\n\n".utf8) + service.screen().event()
        }
        // At most `quietest` apart, however often the board changes.
        let pause = ScreenEvents.quietest - Date().timeIntervalSince(lastSent)
        if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        let version = service.progress.waitForChange(after: seen, until: Date(timeIntervalSinceNow: ScreenEvents.keepAlive)) {
            self.closed.load(ordering: .acquiring)
        }
        guard !closed.load(ordering: .acquiring) else { return nil }
        state.withLock { $0 = (version, Date()) }
        return version == seen ? Array(": still here\n\n".utf8) : service.screen().event()
    }

    func close() {
        closed.store(true, ordering: .releasing)
        service.progress.wake()
    }
}
