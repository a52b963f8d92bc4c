import Control
import Dock
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal

/// What the service answers on its control socket (Docs/control-api.md).
func controlHandler(gateway: Gateway, progress: ProgressBoard) -> ControlServer.Handler {
    { request in
        switch request.command {
        case "ping":
            return .success(PingResult(service: "recorder-gatewayd", protocolVersion: ControlProtocol.version))
        case "devices":
            return .success(DevicesResult(bays: progress.snapshot().map(bayStatus)))
        case "info", "files":
            guard let target = request.args["target"], !target.isEmpty else {
                return .failure(ControlError(code: "bad-request", message: "\(request.command) needs args.target (a bay or a serial)"))
            }
            let bays = progress.snapshot()
            let bay = bays.first { $0.bay == target } ?? bays.last { $0.serial == target }
            let serial = bay?.serial ?? (target.count == 7 ? target : nil)
            let journal = gateway.journal
            let ledger = serial.flatMap { try? journal.ledger(serial: $0) } ?? []
            let sessions = (try? journal.sessions(limit: 500))?.filter { $0.serial == serial } ?? []
            guard bay != nil || !ledger.isEmpty || !sessions.isEmpty else {
                return .failure(ControlError(code: "not-found", message: "no bay or recorder \(target)"))
            }
            if request.command == "info" {
                return .success(InfoResult(
                    serial: serial, bay: bay.map(bayStatus),
                    sessions: sessions.prefix(10).map {
                        InfoResult.Session(bag: $0.bagName, bay: $0.bay, started: $0.startedUTC, ended: $0.endedUTC, state: $0.state.rawValue)
                    },
                    recordings: InfoResult.Recordings(ingested: ledger.count, quarantined: ledger.filter(\.quarantined).count,
                                                      released: ledger.filter { $0.releasedUTC != nil }.count)))
            }
            return .success(FilesResult(serial: serial, files: ledger.map { e in
                FilesResult.File(recordingId: Int(e.recordingId), size: e.size, sha256: hexString(e.sha256), bag: e.bagName,
                                 state: e.quarantined ? "quarantined" : "verified", ingested: e.ingestedUTC, released: e.releasedUTC)
            }))
        case "diagnose":
            guard let target = request.args["target"], !target.isEmpty else {
                return .failure(ControlError(code: "bad-request", message: "diagnose needs args.target (a bay or a serial)"))
            }
            let bays = progress.snapshot()
            guard let bay = bays.first(where: { $0.bay == target }) ?? bays.last(where: { $0.serial == target }) else {
                return .failure(ControlError(code: "not-found", message: "no bay or docked recorder \(target)"))
            }
            return .success(DiagnoseResult(bay: bay.bay, serial: bay.serial, facts: bay.diagnostics,
                                           clockOffsetMs: bay.clockOffsetMilliseconds))
        case "capture":
            guard let bay = request.args["target"], !bay.isEmpty, let path = request.args["path"], path.hasPrefix("/") else {
                return .failure(ControlError(code: "bad-request", message: "capture needs args.target (a bay) and args.path (an absolute file path)"))
            }
            await gateway.armCapture(port: bay, path: path)
            // Said in the journal so that a technician (and the umockdev test, which docks on
            // this line) knows the bay is waiting to record its next dock.
            log("bay \(bay): the next dock will be captured to \(path)")
            return .success(CaptureResult(bay: bay, path: path, armed: true))
        case "queue":
            guard let forwarder = gateway.context.forwarder else {
                return .success(QueueResult(forwarding: false, store: nil, bags: []))
            }
            let objects = Dictionary(grouping: (try? gateway.journal.forwardObjects()) ?? [], by: \.bagName)
            func row(_ bag: String, position: Int? = nil, order: String? = nil) -> QueueResult.Bag {
                let items = objects[bag] ?? []
                return QueueResult.Bag(bag: bag, objects: items.count, verified: items.filter { $0.state == .verified }.count,
                                       pending: items.filter { $0.state == .pending }.count, failed: items.filter { $0.state == .failed }.count,
                                       bytes: items.reduce(UInt64(0)) { $0 + $1.size }, lastError: items.compactMap(\.lastError).last,
                                       position: position, order: order)
            }
            // The bags still to forward in forwarding order, then the bags forwarded, by name.
            let places = (try? forwarder.order()) ?? []
            var bags = places.enumerated().map { row($0.element.bag, position: $0.offset + 1, order: $0.element.reason) }
            let open = Set(places.map(\.bag))
            bags += objects.keys.filter { !open.contains($0) }.sorted().map { row($0) }
            let store = QueueResult.Store(bucket: forwarder.settings.bucket, prefix: forwarder.settings.prefix,
                                          endpoint: forwarder.settings.endpoint, lastProblem: await forwarder.lastProblem,
                                          rateLimit: forwarder.settings.rateLimit, hours: forwarder.settings.hours?.description,
                                          resumes: forwarder.resumes())
            return .success(QueueResult(forwarding: await forwarder.isRunning, store: store, bags: bags))
        case "front":
            guard let forwarder = gateway.context.forwarder else {
                return .failure(ControlError(code: "not-found", message: "this gateway forwards nothing"))
            }
            guard let bag = request.args["target"], !bag.isEmpty else {
                return .failure(ControlError(code: "bad-request", message: "front needs args.target (a bag name)"))
            }
            do {
                switch try await forwarder.moveToFront(bag: bag) {
                case .unknown:
                    return .failure(ControlError(code: "not-found", message: "no bag \(bag) in the forward queue"))
                case .alreadyForwarded:
                    return .success(FrontResult(bag: bag, moved: false, position: nil))
                case .moved:
                    log("bag \(bag) moved to the front of the forward queue by a technician")
                    let position = ((try? forwarder.order()) ?? []).firstIndex { $0.bag == bag }.map { $0 + 1 }
                    return .success(FrontResult(bag: bag, moved: true, position: position))
                }
            } catch {
                return .failure(ControlError(code: "failed", message: "\(error)"))
            }
        case "retry":
            guard let forwarder = gateway.context.forwarder else {
                return .failure(ControlError(code: "not-found", message: "this gateway forwards nothing"))
            }
            guard let bag = request.args["target"], !bag.isEmpty else {
                return .failure(ControlError(code: "bad-request", message: "retry needs args.target (a bag name)"))
            }
            guard ((try? gateway.journal.forwardObjects(bag: bag)) ?? []).isEmpty == false else {
                return .failure(ControlError(code: "not-found", message: "no bag \(bag) in the forward queue"))
            }
            do {
                return .success(RetryResult(bag: bag, requeued: try await forwarder.retry(bag: bag)))
            } catch {
                return .failure(ControlError(code: "failed", message: "\(error)"))
            }
        case "prune":
            // Dry run unless asked otherwise: the plan, from the forward queue as it stands.
            let pruner = BagPruner(context: gateway.context)
            let days = gateway.context.forwarder?.settings.pruneAfterDays
            if request.args["dryRun"] == "false" {
                guard days != nil else {
                    return .failure(ControlError(code: "failed", message: "prune-after-days is keep: nothing is pruned (Docs/configuration.md)"))
                }
                let done = await pruner.run()
                return .success(RetentionResult(pruneAfterDays: days, dryRun: false, bags: done.map {
                    RetentionResult.Bag(bag: $0.bag, action: $0.pruned ? "pruned" : "keep", detail: $0.detail)
                }))
            }
            return .success(RetentionResult(pruneAfterDays: days, dryRun: true, bags: pruner.plan().map { item in
                switch item.decision {
                case .prune(let objects, let verified):
                    RetentionResult.Bag(bag: item.bag, action: "prune", detail: "\(objects) objects verified in the evidence store, the last \(verified); checked there again before removal")
                case .keep(let why): RetentionResult.Bag(bag: item.bag, action: "keep", detail: why)
                }
            }))
        case "refusals":
            // A vendor recorder's refused password is not sent again until it is cleared here.
            // A journal that cannot be read is an error, never "no refusals": that would invite
            // a technician to dock again.
            func listed() throws -> [RefusalsResult.Refusal] {
                try gateway.journal.passwordRefusals().map {
                    RefusalsResult.Refusal(recorder: $0.recorder, family: $0.family, bay: $0.bay, refusedUTC: $0.refusedUTC)
                }
            }
            do {
                guard let recorder = request.args["clear"] else { return .success(RefusalsResult(refusals: try listed(), cleared: nil)) }
                guard let refusal = try gateway.journal.passwordRefusal(recorder: recorder) else {
                    return .failure(ControlError(code: "not-found", message: "no password refusal is remembered for \(recorder)"))
                }
                // Audited before it is forgotten: a clearing the log cannot name does not happen.
                try await gateway.context.audit.append(.passwordRefusalCleared, serial: refusal.recorder, bay: refusal.bay,
                                                       detail: ["family": refusal.family, "refusedUTC": refusal.refusedUTC])
                _ = try gateway.journal.clearPasswordRefusal(recorder: recorder)
                return .success(RefusalsResult(refusals: try listed(), cleared: .init(recorder: refusal.recorder, family: refusal.family,
                                                                                     bay: refusal.bay, refusedUTC: refusal.refusedUTC)))
            } catch {
                return .failure(ControlError(code: "failed", message: "\(error)"))
            }
        default:
            return .failure(ControlError(code: "unknown-command", message: "no command \(request.command) (known: ping, devices, info, files, diagnose, capture, queue, front, retry, prune, refusals)"))
        }
    }
}

private func bayStatus(_ b: ProgressBoard.Bay) -> BayStatus {
    let elapsed = max((b.ended ?? Date()).timeIntervalSince(b.started), 0.001)
    return BayStatus(
        bay: b.bay, serial: b.serial, officer: b.officer, state: b.phase.rawValue,
        bytesDone: b.bytesDone, bytesTotal: b.bytesTotal,
        percent: b.bytesTotal > 0 ? Int(min(100, Double(b.bytesDone) * 100 / Double(b.bytesTotal))) : (b.phase == .done ? 100 : 0),
        mbps: (Double(b.bytesDone) / elapsed / 1e6 * 10).rounded() / 10,
        battery: b.batteryPercent, storageFree: b.storageFreeBytes,
        clockOffsetMs: b.clockOffsetMilliseconds.map { ($0 * 10).rounded() / 10 },
        bag: b.bag, bags: b.bags, note: b.note, started: ISO8601DateFormatter().string(from: b.started))
}
