/// The dance of one vendor recorder in one bay, as a pure state machine: no I/O, no clock of
/// its own (times come with the events, in milliseconds of any monotonic clock).
///
/// vendor appearance → unlock (login, identity, clock) → disk mode → the device leaves → its
/// mass-storage appearance **on the same port** within `returnWaitMilliseconds` of the switch →
/// the first reading of its medium (compared with the volumes it had at its last dock) → the
/// acquisition, which the dock session runs, and release as the family allows.
///
/// The adapters (the simulator's dock, the udev loop) feed it events and do what its actions
/// say. Guarantees: the password goes out in one login per dance, never when it was refused (or
/// its answer lost) at an earlier dock or none is configured; a refused password, and one whose
/// answer could not be read, always asks to be remembered; a
/// mass-storage device is acquired only when it appears on the awaited port while the dance
/// awaits it — any other appearance (another port, before the switch, after the wait or the
/// end) is refused; every ending is one `StorageDanceOutcome`, reached once.
public struct StorageDance: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// The vendor device is docked; nothing sent.
        case appeared
        /// The family's unlock is running.
        case unlocking
        /// The device accepted the switch at `switchedAt`; `departed` once it left the bus.
        case awaitingReturn(switchedAt: Int64, departed: Bool)
        /// It came back on the same port `afterMilliseconds` after the switch; its medium is
        /// being opened.
        case acquiring(afterMilliseconds: Int64)
        /// The dance is over.
        case ended(StorageDanceOutcome)
    }

    /// Whether the password can be sent at this dock.
    public enum PasswordStanding: Sendable, Equatable {
        case available
        /// None is configured for the family.
        case none
        /// The recorder refused it at an earlier dock, at this time (UTC text), and no technician
        /// has cleared that since.
        case refusedEarlier(String)
        /// Whether it refused earlier cannot be told (the journal could not be read): the
        /// password is not sent.
        case unknown(String)
    }

    /// How the family's unlock ended (`UnlockOutcome`, without its error value).
    public enum UnlockEnding: Sendable, Equatable {
        case switching
        case alreadyInStorageMode
        case passwordRefused
        case passwordUnusable(String)
        case storageSwitchRefused
        case notThisFamily(String)
        /// A command that carried the password got no answer that could be read (lost, cut,
        /// hostile): the recorder may have counted a wrong attempt.
        case passwordUnconfirmed(String)
        case failed(String)
    }

    public enum Event: Sendable, Equatable {
        /// The vendor device appeared on the dance's port.
        case vendorAppeared(PasswordStanding)
        /// The unlock ended, at `at`.
        case unlockEnded(UnlockEnding, at: Int64)
        /// The vendor device left the bus.
        case departed(at: Int64)
        /// A mass-storage device appeared on `port`.
        case massStorageAppeared(port: String, at: Int64)
        /// The wait for the return is over (the adapter's timer, set by `.awaitReturn`).
        case waitExpired(at: Int64)
        /// The returned device's medium was read: the keys of its volumes; none when the read
        /// found none or could not say (nothing is then compared or remembered: what was known
        /// of the recorder's volumes stays known).
        case mediumRead(volumes: [String])
        /// The returned device's medium could not be read.
        case mediumUnreadable(String)
    }

    public enum Action: Sendable, Equatable {
        /// Run the family's unlock with the password.
        case unlock
        /// Remember, against the recorder, that it refused the password (journal).
        case rememberRefusedPassword
        /// Wait for the mass-storage appearance until `deadline`; send `.waitExpired` then.
        case awaitReturn(deadline: Int64)
        /// Open the mass-storage device on the dance's port and read its medium.
        case acquire
        /// Do not read the mass-storage device on `port`: it did not arrive through this
        /// dance's unlock (close it, say so once).
        case refuse(port: String, reason: String)
        /// Remember the volumes as the recorder's, for its next dock.
        case rememberVolumes([String])
        /// The dance is over.
        case end(StorageDanceOutcome)
    }

    /// The USB port path the vendor device appeared on.
    public let port: String
    /// How long to wait, from the accepted switch, for the mass-storage appearance.
    public let returnWaitMilliseconds: Int64
    /// The volumes the recorder had at its last dock that read its medium; nil: none known.
    public let previousVolumes: [String]?
    public private(set) var state: State = .appeared
    /// The first mass-storage appearance on another port while the return was awaited (refused;
    /// the wait goes on, and if it ends without the return, this is why): port, and ms after
    /// the switch.
    public private(set) var elsewhere: Elsewhere?

    public struct Elsewhere: Sendable, Equatable {
        public var port: String
        public var afterMilliseconds: Int64
    }

    public init(port: String, returnWaitMilliseconds: Int64, previousVolumes: [String]?) {
        self.port = port
        self.returnWaitMilliseconds = returnWaitMilliseconds
        self.previousVolumes = previousVolumes
    }

    /// Takes one event and says what to do. An event that does not fit the state changes
    /// nothing and asks for nothing, except a mass-storage appearance, which is refused.
    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.appeared, .vendorAppeared(let standing)):
            switch standing {
            case .available:
                state = .unlocking
                return [.unlock]
            case .none:
                return end(.noPassword)
            case .refusedEarlier(let since):
                return end(.passwordWithheld(since: since))
            case .unknown(let why):
                return end(.unlockFailed("\(why); nothing sent"))
            }

        case (.unlocking, .unlockEnded(let ending, let at)):
            switch ending {
            case .switching, .alreadyInStorageMode:
                state = .awaitingReturn(switchedAt: at, departed: false)
                return [.awaitReturn(deadline: at + returnWaitMilliseconds)]
            case .passwordRefused:
                return [.rememberRefusedPassword] + end(.passwordRefused)
            case .passwordUnusable(let why): return end(.passwordUnusable(why))
            case .storageSwitchRefused: return end(.diskModeRefused)
            case .notThisFamily(let why): return end(.notThisFamily(why))
            case .passwordUnconfirmed(let why):
                // Remembered like a refusal: a recorder that locks itself and then stops
                // answering must not be sent the password at every dock until it wipes.
                return [.rememberRefusedPassword] + end(.passwordUnconfirmed(why))
            case .failed(let why): return end(.unlockFailed(why))
            }

        case (.awaitingReturn(let switchedAt, _), .departed):
            state = .awaitingReturn(switchedAt: switchedAt, departed: true)
            return []

        case (.awaitingReturn(let switchedAt, _), .massStorageAppeared(let where_, let at)):
            let after = max(0, at - switchedAt)
            if at > switchedAt + returnWaitMilliseconds {
                // The timer's event may come after the device: the wait is what counts.
                return [.refuse(port: where_, reason: "it came after the wait for the return was over")]
                    + end(waitOver(waitedMilliseconds: returnWaitMilliseconds))
            }
            guard where_ == port else {
                // Another bay's disk, a stick, or this recorder on a hub that renumbered: never
                // read, and no reason to stop waiting for the return on this port.
                if elsewhere == nil { elsewhere = Elsewhere(port: where_, afterMilliseconds: after) }
                return [.refuse(port: where_, reason: "it did not arrive through an unlock on that port")]
            }
            state = .acquiring(afterMilliseconds: after)
            return [.acquire]

        case (.awaitingReturn(let switchedAt, _), .waitExpired(let at)):
            return end(waitOver(waitedMilliseconds: max(returnWaitMilliseconds, at - switchedAt)))

        case (.acquiring(let after), .mediumRead(let volumes)):
            // A read that found no volume says nothing about the recorder's card: forgetting
            // the last ones would let a later dock with other volumes pass as `returned`.
            if volumes.isEmpty { return end(.returned(afterMilliseconds: after, volumes: [])) }
            if let previous = previousVolumes, !previous.isEmpty, Set(previous) != Set(volumes) {
                return [.rememberVolumes(volumes)]
                    + end(.returnedWithDifferentVolume(afterMilliseconds: after, previous: previous, now: volumes))
            }
            return [.rememberVolumes(volumes)] + end(.returned(afterMilliseconds: after, volumes: volumes))

        case (.acquiring, .mediumUnreadable(let why)):
            return end(.unreadable(why))

        case (_, .massStorageAppeared(let where_, _)):
            return [.refuse(port: where_, reason: "no unlock on that port is awaiting it")]

        default:
            return []
        }
    }

    /// The outcome, once ended.
    public var outcome: StorageDanceOutcome? {
        if case .ended(let o) = state { o } else { nil }
    }

    /// The wait ended without the return: came back elsewhere, if a disk appeared on another
    /// port meanwhile, else never came back.
    private func waitOver(waitedMilliseconds: Int64) -> StorageDanceOutcome {
        if let elsewhere {
            return .cameBackElsewhere(expected: port, actual: elsewhere.port, afterMilliseconds: elsewhere.afterMilliseconds)
        }
        return .neverCameBack(waitedMilliseconds: waitedMilliseconds)
    }

    private mutating func end(_ outcome: StorageDanceOutcome) -> [Action] {
        state = .ended(outcome)
        return [.end(outcome)]
    }
}
