/// What a simulated vendor device does around its password and its switch to storage: counts
/// wrong passwords to its lockout, and when it switches, leaves the bus and re-appears as the
/// scenario's mass-storage personality, said on `events`.
public enum VendorDeviceEvent: Sendable {
    /// The device accepted the switch and left the bus: every later transfer on its link fails
    /// with `.deviceGone`.
    case leftBus
    /// It came back as a mass-storage device with these USB ids (the dock's next appearance);
    /// `port` is nil on the port it left, else the other port it came back on (a
    /// `returnsOnPort` fault).
    case reappeared(SimulatedMassStorage, vendorId: UInt16, productId: UInt16, port: String?)
    /// Its storage could not be served (the image cannot be opened).
    case cannotReappear(String)
}

/// The parts both vendor personalities share.
struct VendorPersonality: Sendable {
    let password: [UInt8]
    let lockoutAttempts: Int
    /// How long a lock lasts (the recorder's `lockout.seconds`); nil: for good.
    let lockoutLasts: Duration?
    let storage: MassStorageScenario
    let link: LinkModel
    let name: String
    let vendor: VendorScenario
    let log: VendorLog
    let events: AsyncStream<VendorDeviceEvent>.Continuation

    func has(_ fault: VendorFault) -> Bool { vendor.faults.contains(fault) }

    func emptyReply(_ command: String) -> Bool { has(.emptyReply(command: command)) }

    func longReply(_ command: String) -> Int? {
        vendor.faults.compactMap { if case .longReply(command, let n) = $0 { n } else { nil } }.first
    }

    /// The device leaves the bus and comes back as mass storage: at once, after a
    /// `returnsAfter` fault's delay, on a `returnsOnPort` fault's port, or never
    /// (`neverReturns`: the stream then stays open, as a bus that says nothing).
    func leave() {
        events.yield(.leftBus)
        if has(.neverReturns) { return }
        let delay = vendor.faults.compactMap { if case .returnsAfter(let ms) = $0 { ms } else { nil } }.first
        let port = vendor.faults.compactMap { if case .returnsOnPort(let p) = $0 { p } else { nil } }.first
        let come = { [self] in
            do {
                let disk = try SimulatedMassStorage(storage, link: link, name: (port ?? name) + " (storage)")
                events.yield(.reappeared(disk, vendorId: vendor.storageVendorId, productId: vendor.storageProductId, port: port))
            } catch {
                events.yield(.cannotReappear("\(error)"))
            }
            events.finish()
        }
        guard let delay else { return come() }
        Task {
            try? await Task.sleep(for: .milliseconds(delay))
            come()
        }
    }
}

/// Wrong passwords in a row, to the lockout, and the lock's end when it has one.
struct PasswordCounter: Sendable {
    let limit: Int
    /// How long a lock lasts; nil: for good.
    let lasts: Duration?
    private(set) var wrong = 0
    private var lockedAt: ContinuousClock.Instant?

    init(limit: Int, lasts: Duration? = nil) {
        self.limit = limit
        self.lasts = lasts
    }

    /// Whether the device refuses every password now (the right one too).
    var locked: Bool {
        guard wrong >= limit else { return false }
        guard let lasts, let lockedAt else { return true }
        return ContinuousClock.now - lockedAt < lasts
    }

    /// Counts one attempt made while not `locked`; true when it was right (a right one resets
    /// the count). An attempt after a lock expired counts from zero again.
    mutating func check(_ given: [UInt8], against password: [UInt8]) -> Bool {
        if wrong >= limit {
            wrong = 0
            lockedAt = nil
        }
        if given == password {
            wrong = 0
            return true
        }
        wrong += 1
        if wrong == limit { lockedAt = .now }
        return false
    }
}
