import Control
import Evidence
import Foundation
import Journal
import RecorderHAL
import Settings

/// The dance of one vendor recorder in one bay, run: the adapter between the pure
/// `StorageDance` and the world (the family's unlock, the journal, the audit log, the wait for
/// the return, the dock session that reads the returned disk).
///
/// The recorder is named, before it says anything, by its vendor interface's USB serial (else
/// `bay-PORT`): a refused password is remembered under that name, and its volumes are compared
/// under it. Everything that goes into the audit log or the custody record comes from the
/// `UnlockReport`, which never holds the password.
public actor VendorDock {
    let context: IngestContext
    let appearance: VendorAppearance
    let driverFor: @Sendable (MassStorageArrival) -> (any RecorderDriver)?
    var dance: StorageDance
    private let origin = ContinuousClock.now
    /// Who the recorder is, before it is read: the name the journal keeps refusals and volumes under.
    nonisolated let recorderKey: String
    let keyIsUSBSerial: Bool
    var report: UnlockReport?
    var returnedAfter: Int64?
    var previousVolumes: [String]?
    var clockEstimate: CustodyRecord.ClockEstimate?
    var sources: [String: String] = [:]
    /// The returned disk's USB serial (usable), to tell where its identity's serial came from.
    var diskUSBSerial: String?
    private var out: DockOutcome
    /// Where `recorderctl capture` (or `--capture-dir`) asked this dock to be recorded.
    private let capturePath: String?
    /// The capture file, once open; nil when none was asked for or it could not be created.
    private var capture: TransferCapture?
    /// The vendor interface as the unlock uses it: the appearance's link, or it captured.
    private var vendorLink: any USBTransferLink

    /// `capturePath`: record this dock's transfers there (`TransferCapture`: the unlock's and
    /// the mass-storage read's, the password written as `<password>`, the disk's data phases whole, for a replay).
    public init(context: IngestContext, appearance: VendorAppearance, capturePath: String? = nil,
                driverFor: @escaping @Sendable (MassStorageArrival) -> (any RecorderDriver)?) {
        self.context = context
        self.appearance = appearance
        self.driverFor = driverFor
        self.capturePath = capturePath
        vendorLink = appearance.link
        let serial = USBSerial.usable(appearance.link.serialNumber)
        recorderKey = serial ?? "bay-\(appearance.port)"
        keyIsUSBSerial = serial != nil
        let previous = (try? context.journal.recorderVolumes(recorder: recorderKey)) ?? nil
        dance = StorageDance(port: appearance.port, returnWaitMilliseconds: VendorDock.milliseconds(context.vendor.returnWait),
                             previousVolumes: previous)
        out = DockOutcome(bay: context.config.bayName(port: appearance.port))
    }

    /// The names a refusal is remembered and looked up under. A recorder with no USB serial
    /// cannot be told from another of its family: a refusal by one is also kept under
    /// `no-serial:FAMILY` and withholds the password from every serial-less recorder of that
    /// family, in any bay (else moving it to the next bay would earn it another attempt).
    var refusalKeys: [String] { keyIsUSBSerial ? [recorderKey] : [recorderKey, "no-serial:\(family)"] }

    var port: String { appearance.port }
    var bay: String { context.config.bayName(port: port) }
    var family: String { appearance.family.name }

    /// Runs the dance to its end, and the dock session of the returned disk when it came back.
    public func run() async -> DockOutcome {
        openCapture()
        let outcome = await dance()
        capture?.event("dock-ended", ["result": "\(outcome.result)", "files": "\(outcome.files)"])
        capture?.close()
        return outcome
    }

    /// Opens the capture file when one was asked for; a file that cannot be created is said on
    /// stderr and the dock goes on uncaptured (the recorder is collected all the same).
    private func openCapture() {
        guard let capturePath else { return }
        do {
            let file = try TransferCapture(path: capturePath, redaction: PasswordRedaction(context.vendor.password(for: recorderKey)),
                                           about: ["port": port, "bay": bay, "family": family, "recorder": recorderKey])
            capture = file
            let family = appearance.family
            vendorLink = TransferCaptureLink(appearance.link, capture: file, part: .unlock(passwordSpan: { family.passwordSpan(inSent: $0) }))
        } catch {
            FileHandle.standardError.write(Data("recorder-gatewayd: bay \(bay): cannot capture to \(capturePath): \(error)\n".utf8))
        }
    }

    private func dance() async -> DockOutcome {
        let started = ContinuousClock.now
        let facts = DanceDiagnostics(family: family, port: port, returnWaitMilliseconds: VendorDock.milliseconds(context.vendor.returnWait))
        context.progress.update(port) {
            $0 = ProgressBoard.Bay(bay: bay, phase: .authenticating)
            $0.serial = recorderKey
            $0.diagnostics.dance = facts
        }
        await audit(.vendorDocked, detail: ["family": family, "port": port, "link": appearance.link.description,
                                            "recorder": recorderKey])
        let standing: StorageDance.PasswordStanding
        do {
            if let refusal = try refusalKeys.lazy.compactMap({ try self.context.journal.passwordRefusal(recorder: $0) }).first {
                standing = .refusedEarlier(refusal.refusedUTC)
            } else {
                standing = context.vendor.password(for: recorderKey) == nil ? .none : .available
            }
        } catch {
            // Not knowing whether it refused before is no licence to send the password again.
            standing = .unknown("cannot tell whether the recorder refused the password before: \(error)")
        }
        var pending = dance.handle(.vendorAppeared(standing))
        var session: DockOutcome?
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .unlock:
                pending += await unlock()
            case .awaitReturn(let deadline):
                pending += await awaitReturn(deadline: deadline)
            case .acquire:
                if let arrival = pendingArrival { session = await acquire(arrival) }
            default:
                await perform(action)
            }
        }
        if let session { return session }
        // The dance ended before anything was read: the outcome says why, the footage stays on
        // the recorder, and its next dock starts the dance again.
        await vendorLink.close()
        let outcome = dance.outcome ?? .unlockFailed("the dance did not end")
        out.serial = recorderKey
        out.dance = outcome
        out.anomalies.append(Anomaly(outcome.code, outcome.description))
        out.result = outcome.lostOnTheWay ? .interrupted(outcome.description) : .failed(outcome.description)
        let elapsed = ContinuousClock.now - started
        out.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let phase: ProgressBoard.Phase = outcome.lostOnTheWay ? .interrupted : .error
        context.progress.update(port) { $0.phase = phase; $0.note = outcome.description; $0.ended = Date() }
        context.progress.record(out, phase: phase)
        await audit(.undocked, detail: ["result": phase.rawValue, "files": "0", "bytes": "0"])
        return out
    }

    // MARK: - Actions

    private func unlock() async -> [StorageDance.Action] {
        guard let password = context.vendor.password(for: recorderKey) else { return dance.handle(.unlockEnded(.failed("no password"), at: now())) }
        let request = UnlockRequest(password: password,
                                    clock: DeviceTime(utcMilliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()),
                                                      zoneOffsetMinutes: context.vendor.zoneOffsetMinutes))
        let report = await appearance.family.unlock(vendorLink, request)
        self.report = report
        for step in report.steps {
            await audit(.unlockStep, detail: ["family": family, "command": step.command,
                                              "carriedPassword": step.carriedPassword ? "yes" : "no", "answer": step.answer])
        }
        var detail = ["family": family, "outcome": report.outcome.description, "clock": report.clock.description,
                      "passwordsSent": "\(report.passwordsSent)"]
        if let id = report.deviceId { detail["deviceId"] = id }
        await audit(.unlockEnded, detail: detail)
        context.progress.update(port) {
            $0.diagnostics.authenticated = Self.accepted(report.outcome)
            $0.diagnostics.dance?.record(report)
        }
        return dance.handle(.unlockEnded(Self.ending(report), at: now()))
    }

    /// Waits for the mass-storage appearance on this port, or the deadline. Appearances on
    /// other ports meanwhile are refused (closed, audited) and the wait goes on: the bus may
    /// carry every bay's devices.
    private func awaitReturn(deadline: Int64) async -> [StorageDance.Action] {
        // The vendor interface is gone (or going): let it go.
        await vendorLink.close()
        let wait = deadline - now()
        await audit(.storageAwaited, detail: ["family": family, "port": port,
                                              "waitSeconds": StorageDanceOutcome.seconds(VendorDock.milliseconds(context.vendor.returnWait))])
        context.progress.update(port) { $0.note = "waiting for the recorder to come back as a disk" }
        let bus = appearance.bus
        let decided: [StorageDance.Action]? = await withTaskGroup(of: [StorageDance.Action]?.self) { group in
            group.addTask {
                for await event in bus {
                    switch event {
                    case .departed: await self.departed()
                    case .arrived(let arrival):
                        if let actions = await self.offer(arrival) { return actions }
                    }
                }
                // Nothing more will be said: the deadline decides.
                try? await Task.sleep(for: .milliseconds(max(0, wait)))
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(max(0, wait)))
                return nil
            }
            let winner = await group.next() ?? nil
            group.cancelAll()
            return winner
        }
        return decided ?? dance.handle(.waitExpired(at: now()))
    }

    /// One mass-storage appearance while the return is awaited: the actions that end the wait
    /// (the return to acquire, or the dance's end), or nil to go on waiting (it was refused).
    private func offer(_ arrival: MassStorageArrival) async -> [StorageDance.Action]? {
        capture?.event("arrived", ["port": arrival.port, "usb": String(format: "%04x:%04x", arrival.vendorId, arrival.productId)])
        let actions = dance.handle(.massStorageAppeared(port: arrival.port, at: now()))
        if actions.contains(.acquire) {
            pendingArrival = arrival
            return actions
        }
        for action in actions {
            if case .refuse(let where_, let reason) = action {
                await arrival.discard()
                await refused(where_, reason)
            } else {
                await perform(action)
            }
        }
        return dance.outcome == nil ? nil : []
    }

    private var pendingArrival: MassStorageArrival?

    /// The vendor device left the bus (after the switch): audited, and the machine told.
    private func departed() async {
        let after = { if case .awaitingReturn(let at, _) = dance.state { now() - at } else { nil as Int64? } }()
        capture?.event("departed", ["port": port])
        for a in dance.handle(.departed(at: now())) { await perform(a) }
        var detail = ["family": family, "port": port]
        if let after { detail["afterMs"] = "\(after)" }
        await audit(.vendorDeparted, detail: detail)
    }

    private func acquire(_ arrival: MassStorageArrival) async -> DockOutcome {
        returnedAfter = { if case .acquiring(let ms) = dance.state { ms } else { nil } }()
        guard let driver = driverFor(arrival) else {
            let why = String(format: "it came back as USB device %04x:%04x, which the device database does not list as mass storage", arrival.vendorId, arrival.productId)
            await arrival.discard()
            for a in dance.handle(.mediumUnreadable(why)) { await perform(a) }
            return await endedWithoutRead()
        }
        var link: any USBTransferLink
        do throws(ArrivalOpenError) {
            link = try await arrival.open()
        } catch {
            await arrival.discard()
            for a in dance.handle(.mediumUnreadable("the disk it came back as cannot be opened: \(error)")) { await perform(a) }
            return await endedWithoutRead()
        }
        diskUSBSerial = USBSerial.usable(link.serialNumber)
        if let capture { link = TransferCaptureLink(link, capture: capture, part: .massStorage) }
        let session = DockSession(context: context, port: port, dance: self)
        var outcome = await session.run(link: .transfers(link), driver: driver)
        if dance.outcome == nil {
            // The session ended before the medium was read (the disk could not be opened).
            for a in dance.handle(.mediumUnreadable(outcome.result == .completed ? "no medium" : "\(outcome.result)")) { await perform(a) }
        }
        outcome.dance = dance.outcome
        return outcome
    }

    private func endedWithoutRead() async -> DockOutcome {
        let outcome = dance.outcome ?? .unreadable("no medium")
        out.serial = recorderKey
        out.dance = outcome
        out.anomalies.append(Anomaly(outcome.code, outcome.description))
        out.result = .interrupted(outcome.description)
        context.progress.update(port) { $0.phase = .interrupted; $0.note = outcome.description; $0.ended = Date() }
        context.progress.record(out, phase: .interrupted)
        await audit(.undocked, detail: ["result": "interrupted", "files": "0", "bytes": "0"])
        return out
    }

    func perform(_ action: StorageDance.Action) async {
        switch action {
        case .rememberRefusedPassword:
            do {
                for key in refusalKeys {
                    try context.journal.rememberPasswordRefusal(.init(recorder: key, family: family, bay: bay,
                                                                      refusedUTC: UTCTimestamp.string(Date())))
                }
            } catch {
                await audit(.error, detail: ["reason": "cannot remember the password refusal: \(error)"])
            }
        case .refuse(let where_, let reason):
            if let arrival = pendingArrival, arrival.port == where_ { await arrival.discard() }
            await refused(where_, reason)
        case .rememberVolumes(let volumes):
            try? context.journal.rememberRecorderVolumes(recorder: recorderKey, volumes, seenUTC: UTCTimestamp.string(Date()))
        case .end(let outcome):
            var detail = ["family": family, "outcome": outcome.code, "detail": outcome.description]
            if let ms = returnedAfter, outcome.collects { detail["returnedAfterMs"] = "\(ms)" }
            await audit(.danceEnded, detail: detail)
            capture?.event("dance-ended", ["outcome": outcome.code])
            context.progress.update(port) { $0.diagnostics.dance?.record(outcome) }
        case .unlock, .awaitReturn, .acquire:
            break
        }
    }

    private func refused(_ where_: String, _ reason: String) async {
        capture?.event("refused", ["port": where_, "reason": reason])
        await audit(.deviceRefused, detail: ["port": where_, "reason": "mass-storage device on \(where_) not read: \(reason)"])
        FileHandle.standardError.write(Data("recorder-gatewayd: bay \(context.config.bayName(port: where_)): mass-storage device not read: \(reason)\n".utf8))
    }

    // MARK: - Helpers

    private func now() -> Int64 { VendorDock.milliseconds(ContinuousClock.now - origin) }

    static func milliseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }

    @discardableResult
    func audit(_ event: AuditEvent, serial: String? = nil, detail: [String: String]) async -> Bool {
        do {
            try await context.audit.append(event, serial: serial ?? recorderKey, bay: bay, detail: detail)
            return true
        } catch {
            FileHandle.standardError.write(Data("recorder-gatewayd: bay \(bay): cannot write the audit log: \(error)\n".utf8))
            return false
        }
    }

    static func ending(_ report: UnlockReport) -> StorageDance.UnlockEnding {
        // The password went out and no answer accepting it was read (lost, cut, hostile).
        if case .failed(let error) = report.outcome, report.passwordsSent > 0, !report.passwordAccepted {
            return .passwordUnconfirmed(error.description)
        }
        return ending(report.outcome)
    }

    static func ending(_ outcome: UnlockOutcome) -> StorageDance.UnlockEnding {
        switch outcome {
        case .switching: .switching
        case .alreadyInStorageMode: .alreadyInStorageMode
        case .passwordRefused: .passwordRefused
        case .passwordUnusable(let why): .passwordUnusable(why)
        case .storageSwitchRefused: .storageSwitchRefused
        case .notThisFamily(let why): .notThisFamily(why)
        case .failed(let error): .failed(error.description)
        }
    }

    static func accepted(_ outcome: UnlockOutcome) -> Bool {
        switch outcome {
        case .switching, .alreadyInStorageMode, .storageSwitchRefused: true
        default: false
        }
    }
}
