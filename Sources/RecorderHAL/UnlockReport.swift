/// What a family's unlock did, for the audit log, the custody record and the technician:
/// every command sent in order, what came back, who the device said it is, what happened to
/// its clock, and how the unlock ended.
///
/// Guarantees: no field holds the password (commands that carry it show `<password>`), nor
/// any byte a device sent after it received the password, but for checked values (the device
/// id, a status byte).
public struct UnlockReport: Sendable, CustomStringConvertible {
    /// The family's name ("amba-ctrl").
    public var family: String
    /// The commands sent, in order.
    public var steps: [UnlockStep] = []
    /// The device's own id, when the family can ask for it and the device gave a valid one.
    public var deviceId: String?
    /// What happened to the device's clock.
    public var clock: ClockOutcome
    /// How the unlock ended.
    public var outcome: UnlockOutcome
    /// True once the device answered the login as accepting the password. A failure with the
    /// password sent and this false means the answer to the password was never read: the dock
    /// treats that like a refusal (the device may have counted a wrong attempt).
    public var passwordAccepted = false

    public init(family: String, clock: ClockOutcome, outcome: UnlockOutcome = .failed(RecorderError(.cancelled))) {
        self.family = family
        self.clock = clock
        self.outcome = outcome
    }

    /// How many commands carried the password (0 or 1 for a login, more where the family's
    /// storage switch repeats it).
    public var passwordsSent: Int { steps.filter(\.carriedPassword).count }

    /// "amba-ascii: @Ver;8;00000000;#: Ver;OK; @Gdv;8;<password>;#: id A1B2; …: switching to storage".
    public var description: String {
        "\(family): " + steps.map { "\($0.command): \($0.answer)" }.joined(separator: "; ") + (steps.isEmpty ? "" : "; ")
            + "clock \(clock); " + outcome.description
    }
}

/// One command a family sent, and what came back, in words.
public struct UnlockStep: Hashable, Sendable {
    /// The command as sent, `<password>` in place of the password: "@Gdv;8;<password>;#",
    /// "login: control OUT 40/55 wValue 0080 wIndex 0000 × 64".
    public var command: String
    /// Whether the command carried the password.
    public var carriedPassword: Bool
    /// What came back, in words: "accepted", "refused (status 0)", "no reply: device disconnected".
    public var answer: String

    public init(command: String, carriedPassword: Bool, answer: String) {
        self.command = command
        self.carriedPassword = carriedPassword
        self.answer = answer
    }
}

/// What a family's unlock did to the device's clock.
public enum ClockOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The family's commands to set the clock were sent and not refused; `to` is the time they
    /// carried. `read` is the device's clock read back, when the family can read it.
    case set(to: DeviceTime, read: DeviceTime?)
    /// The device refused a clock command.
    case refused(String)
    /// The family has no command to set the clock: the offset is to be estimated elsewhere.
    case notSupported
    /// The unlock ended before the clock step.
    case notReached

    public var description: String {
        switch self {
        case .set(_, let read): "set" + (read == nil ? " (the family cannot read it back)" : ", read back")
        case .refused(let why): "refused: \(why)"
        case .notSupported: "not settable by this family"
        case .notReached: "not set (the unlock ended before)"
        }
    }
}

/// How a family's unlock ended.
public enum UnlockOutcome: Sendable, CustomStringConvertible {
    /// The device accepted the switch to storage mode: it leaves the bus and is to come back
    /// on the same port as a mass-storage device.
    case switching
    /// The device said it is in storage mode already; no password was sent.
    case alreadyInStorageMode
    /// The device refused the password. Reported once: the caller must not unlock this device
    /// again with the same password (a recorder may lock or wipe itself after a few).
    case passwordRefused
    /// The configured password cannot be carried by this family's commands; nothing was sent.
    case passwordUnusable(String)
    /// The device refused the switch to storage mode.
    case storageSwitchRefused
    /// The device does not speak this family's command set (its answer to a command that
    /// carries no password says so); no password was sent.
    case notThisFamily(String)
    /// The transport failed or a reply could not be used; the context names the step.
    case failed(RecorderError)

    public var description: String {
        switch self {
        case .switching: "switching to storage"
        case .alreadyInStorageMode: "already in storage mode"
        case .passwordRefused: "password refused (not retried)"
        case .passwordUnusable(let why): "password unusable, nothing sent: \(why)"
        case .storageSwitchRefused: "storage switch refused"
        case .notThisFamily(let why): "not this family: \(why)"
        case .failed(let error): "failed: \(error)"
        }
    }
}
