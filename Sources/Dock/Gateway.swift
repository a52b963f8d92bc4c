import Evidence
import EvidenceStore
import Forwarding
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
import S3Store
import Settings

/// The gateway process's state: configuration, journal, store, audit log, key, and the dock
/// sessions running in their bays.
public actor Gateway {
    public nonisolated let context: IngestContext
    /// Whether the gateway created its key pair on this start.
    public nonisolated let createdKey: Bool
    private var running: [String: Task<DockOutcome, Never>] = [:]
    /// The newest outcomes, at most `outcomeHistoryLimit`: a kiosk runs for years, and its
    /// history is the audit log's and the journal's to keep, not this process's memory.
    private var outcomes: [DockOutcome] = []
    /// How many finished docks are kept for `finishedDocks` and `waitUntilIdle`.
    public nonisolated static let outcomeHistoryLimit = 1000
    /// Docks finished since start, and of those, docks that did not verify every file: counted
    /// over the whole run, however many outcomes are kept.
    public private(set) var docksFinished = 0
    public private(set) var docksNotAllVerified = 0
    /// Captures asked for by `recorderctl capture`: the next dock in the bay is recorded.
    private var armedCaptures: [String: String] = [:]
    /// Held for the gateway's life: this process alone writes the state and the store.
    private nonisolated let locks: [ProcessLock]

    /// Opens everything the gateway needs, creating the store, state directory and key pair on
    /// first start.
    ///
    /// - Throws: a `GatewayStartError` naming what could not be opened.
    public init(config: GatewayConfig, progress: ProgressBoard = ProgressBoard(),
                driverOptions: DriverOptions = DriverOptions(), vendor: VendorDockSettings = VendorDockSettings()) throws(GatewayStartError) {
        let store: LocalStore
        do {
            store = try LocalStore(root: config.store)
            for name in ["journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm", "gateway.lock"] {
                try FileIO.refuseSymbolicLink(config.state + "/" + name)
            }
            try FileIO.refuseSymbolicLink(config.resolvedKeyPath)
            try FileIO.makeDirectory(config.state, mode: 0o700)
        } catch {
            throw GatewayStartError(what: "the store or state directory", reason: error.description)
        }
        // One gateway per store and per state, before anything in them is opened for writing.
        do {
            locks = [try ProcessLock(path: config.state + "/gateway.lock"), try ProcessLock(path: store.lockPath)]
        } catch {
            throw GatewayStartError(what: "the store and state", reason: error.description)
        }
        let journal: Journal
        do {
            journal = try Journal(path: config.state + "/journal.sqlite")
        } catch {
            throw GatewayStartError(what: "the journal", reason: error.description)
        }
        let key: Ed25519PrivateKey
        do {
            (key, createdKey) = try GatewayKey.loadOrCreate(privateKeyPath: config.resolvedKeyPath)
            try store.publishPublicKey(key.publicKey.pemRepresentation)
        } catch {
            throw GatewayStartError(what: "the gateway key \(config.resolvedKeyPath)", reason: "\(error)")
        }
        let audit: AuditLogFile
        do {
            audit = try AuditLogFile(path: store.auditLogPath, segmentBytes: config.auditSegmentBytes)
        } catch {
            throw GatewayStartError(what: "the audit log", reason: error.description)
        }
        var context = IngestContext(config: config, journal: journal, store: store, audit: audit, key: key,
                                    progress: progress, driverOptions: driverOptions)
        context.vendor = vendor
        if let settings = config.forward {
            do {
                let credentials = try settings.credentialsFile.map {
                    try S3Credentials.fromSharedCredentialsFile(at: $0, profile: settings.profile)
                } ?? S3Credentials.resolve()
                context.forwarder = try Forwarder(settings: settings, credentials: credentials, journal: journal,
                                                  store: store, audit: audit)
            } catch {
                throw GatewayStartError(what: "the remote evidence store", reason: "\(error)")
            }
        }
        self.context = context
    }

    /// Checks the remote store and starts the forward queue, queueing any sealed bag not queued
    /// yet (sealed before forwarding was configured, or while the gateway was down).
    public func startForwarding() async throws(GatewayStartError) {
        guard let forwarder = context.forwarder else { return }
        do {
            try await forwarder.checkBucket()
        } catch {
            throw GatewayStartError(what: "the remote evidence store", reason: error.description)
        }
        let queued = Set(((try? context.journal.forwardObjects()) ?? []).map(\.bagName))
        for session in (try? context.journal.sessions(limit: 100_000)) ?? [] where session.state == .finalized && !queued.contains(session.bagName) {
            if FileManager.default.fileExists(atPath: context.store.finalBag(session.bagName)) {
                try? await context.enqueueSealed(session)
            }
        }
        await forwarder.start()
    }

    /// Records the start in the audit log, then finishes the seals a stop cut short: every bag
    /// under bags/ is committed to the ledger, named in the audit log, and (with a remote
    /// store) queued. Call once, after `startForwarding`.
    ///
    /// - Returns: the bags named in the audit log by this recovery.
    @discardableResult
    public func announceStart(mode: String) async -> [String] {
        _ = try? await context.audit.append(.gatewayStarted, detail: [
            "gatewayId": context.config.gatewayId, "mode": mode,
            "publicKey": hexString(context.key.publicKey.rawRepresentation)])
        let recovered = await SealRecovery(context: context).run()
        for session in recovered.committed {
            try? await context.enqueueSealed(session)
        }
        return recovered.audited
    }

    /// Starts a dock session for the recorder at the end of `link`, in the bay at `port`.
    /// A second dock in a bay that is still busy is refused (returns false).
    @discardableResult
    public func dock(link original: DeviceLink, driver: any RecorderDriver, port: String) -> Bool {
        guard running[port] == nil else { return false }
        var link = original
        // A capture records protocol v1's framed stream; other shapes are not captured, and
        // the technician who asked is told so rather than left with no file.
        if let path = armedCaptures.removeValue(forKey: port) {
            if case .stream(let stream) = original {
                if let capture = try? CaptureLink(stream, path: path) { link = .stream(capture) }
            } else {
                FileHandle.standardError.write(Data(
                    "recorder-gatewayd: bay \(port): not captured to \(path): a capture records protocol v1's framed stream, and this dock is a \(original.shape.rawValue) link (\(original))\n".utf8))
            }
        }
        let session = DockSession(context: context, port: port)
        running[port] = Task {
            let outcome = await session.run(link: link, driver: driver)
            self.finished(port: port, outcome)
            return outcome
        }
        return true
    }

    /// Starts the dance of a vendor recorder that appeared in the bay at `appearance.port`:
    /// unlock, switch, the wait for its return as mass storage on the same port, and the dock
    /// session of the returned disk, whose driver `driverFor` gives by its USB ids (nil: the
    /// device database does not list it, and it is not read). A bay that is still busy is
    /// refused (returns false). `ended` hears the outcome once the dance and its dock session
    /// are over (the udev adapter stops feeding the dance's bus then).
    ///
    /// The dock is captured (`TransferCapture`: the unlock's transfers and the mass-storage
    /// read's wrappers, never the password, never the footage) to the path `recorderctl
    /// capture` armed for the bay, else to `capture` (`--capture-dir`), else not at all.
    @discardableResult
    public func dockVendor(_ appearance: VendorAppearance, capture: String? = nil,
                           driverFor: @escaping @Sendable (MassStorageArrival) -> (any RecorderDriver)?,
                           ended: @escaping @Sendable (DockOutcome) -> Void = { _ in }) -> Bool {
        let port = appearance.port
        guard running[port] == nil else { return false }
        let path = armedCaptures.removeValue(forKey: port) ?? capture
        let dance = VendorDock(context: context, appearance: appearance, capturePath: path, driverFor: driverFor)
        running[port] = Task {
            let outcome = await dance.run()
            ended(outcome)
            self.finished(port: port, outcome)
            return outcome
        }
        return true
    }

    private func finished(port: String, _ outcome: DockOutcome) {
        running[port] = nil
        outcomes.append(outcome)
        if outcomes.count > Gateway.outcomeHistoryLimit { outcomes.removeFirst(outcomes.count - Gateway.outcomeHistoryLimit) }
        docksFinished += 1
        if !outcome.allVerified { docksNotAllVerified += 1 }
    }

    /// The journal, for reports to the control socket.
    public nonisolated var journal: Journal { context.journal }

    /// Records the next dock in the bay at `port` to the capture file `path`: a protocol v1
    /// dock's framed stream (an emulation file `recorder-gatewayd --replay` plays back), a vendor
    /// recorder's unlock and mass-storage wrappers (`TransferCapture`).
    public func armCapture(port: String, path: String) {
        armedCaptures[port] = path
    }

    /// How many docks are running now.
    public var runningDocks: Int { running.count }

    /// The newest finished docks (at most `outcomeHistoryLimit`), in finishing order.
    public var finishedDocks: [DockOutcome] { outcomes }

    /// Waits until no dock is running and returns the newest outcomes (at most
    /// `outcomeHistoryLimit`), in finishing order.
    public func waitUntilIdle() async -> [DockOutcome] {
        while let (_, task) = running.first {
            _ = await task.value
        }
        return outcomes
    }
}

/// The gateway could not start: what, and why.
public struct GatewayStartError: Error, Sendable, CustomStringConvertible {
    public var what: String
    public var reason: String
    public var description: String { "cannot open \(what): \(reason)" }
}
