/// How the dance of a vendor recorder ended (`StorageDance`): the unlock, the wait for the
/// recorder to come back as mass storage, and the first reading of its medium. Each ending has
/// a stable `code` for the audit log, the custody record and the technician, and words.
public enum StorageDanceOutcome: Sendable, Equatable, CustomStringConvertible {
    /// It came back on the same port within the wait, `afterMilliseconds` after it accepted the
    /// switch, and its medium was read: the acquisition goes on. `volumes` are the keys of the
    /// volumes found (`SourceMedium.Volume.key`).
    case returned(afterMilliseconds: Int64, volumes: [String])
    /// As `returned`, but its medium's volumes are not those the recorder had at its last
    /// dock (a card reformatted, repartitioned or swapped): still read (the footage is collected,
    /// each volume into a bag of its own), and said everywhere.
    case returnedWithDifferentVolume(afterMilliseconds: Int64, previous: [String], now: [String])
    /// It did not come back as mass storage within the wait.
    case neverCameBack(waitedMilliseconds: Int64)
    /// A mass-storage device appeared on another port while this one was awaited: not read.
    case cameBackElsewhere(expected: String, actual: String, afterMilliseconds: Int64)
    /// The recorder refused the password (sent once, never again until a technician clears it).
    case passwordRefused
    /// The password went out but no answer to it could be read: treated as a refusal (not sent
    /// again until a technician clears it), as the recorder may have counted a wrong attempt.
    case passwordUnconfirmed(String)
    /// The password was refused at an earlier dock (`since`) and is withheld: nothing was sent.
    case passwordWithheld(since: String)
    /// No password is configured for the family: nothing was sent.
    case noPassword
    /// The configured password cannot be carried by the family's commands: nothing was sent.
    case passwordUnusable(String)
    /// The recorder refused the switch to storage mode.
    case diskModeRefused
    /// The device does not speak the family's command set; no password was sent.
    case notThisFamily(String)
    /// The unlock failed (transport, or a reply that broke a rule).
    case unlockFailed(String)
    /// It came back, but its medium could not be read.
    case unreadable(String)

    /// A stable code: returned, volume-differs, never-came-back, came-back-elsewhere,
    /// password-refused, password-unconfirmed, password-withheld, no-password, password-unusable, disk-mode-refused,
    /// not-this-family, unlock-failed, unreadable.
    public var code: String {
        switch self {
        case .returned: "returned"
        case .returnedWithDifferentVolume: "volume-differs"
        case .neverCameBack: "never-came-back"
        case .cameBackElsewhere: "came-back-elsewhere"
        case .passwordRefused: "password-refused"
        case .passwordUnconfirmed: "password-unconfirmed"
        case .passwordWithheld: "password-withheld"
        case .noPassword: "no-password"
        case .passwordUnusable: "password-unusable"
        case .diskModeRefused: "disk-mode-refused"
        case .notThisFamily: "not-this-family"
        case .unlockFailed: "unlock-failed"
        case .unreadable: "unreadable"
        }
    }

    /// True when the recorder came back and its medium is being read.
    public var collects: Bool {
        switch self {
        case .returned, .returnedWithDifferentVolume: true
        default: false
        }
    }

    /// True when the recorder switched but was not read (it went away, or came back where it
    /// was not awaited): its footage stays on it, and the next dock starts the dance again.
    public var lostOnTheWay: Bool {
        switch self {
        case .neverCameBack, .cameBackElsewhere, .unreadable: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .returned(let ms, _):
            "came back as mass storage on the same port after \(Self.seconds(ms))"
        case .returnedWithDifferentVolume(let ms, let previous, let now):
            "came back as mass storage on the same port after \(Self.seconds(ms)), with other volumes than at its last dock "
                + "(then \(previous.joined(separator: ", ")); now \(now.isEmpty ? "none" : now.joined(separator: ", ")))"
        case .neverCameBack(let ms):
            "did not come back as mass storage within \(Self.seconds(ms)); nothing read, the footage stays on the recorder"
        case .cameBackElsewhere(let expected, let actual, let ms):
            "came back as mass storage on port \(actual), not on \(expected) where it was unlocked, after \(Self.seconds(ms)); not read"
        case .passwordRefused:
            "the recorder refused the password; it is not sent to this recorder again until a technician clears the refusal (recorderctl refusals --clear RECORDER)"
        case .passwordUnconfirmed(let why):
            "the password went out but its answer could not be read (\(why)); taken as refused: not sent to this recorder again until a technician clears it (recorderctl refusals --clear RECORDER)"
        case .passwordWithheld(let since):
            "the recorder refused the password at an earlier dock (\(since)); not sent again until a technician clears the refusal (recorderctl refusals --clear RECORDER)"
        case .noPassword:
            "no vendor password is configured (vendor-password-file); nothing sent"
        case .passwordUnusable(let why):
            "the configured password cannot be sent to this family: \(why); nothing sent"
        case .diskModeRefused:
            "the recorder refused the switch to storage mode"
        case .notThisFamily(let why):
            "the device does not speak this family's commands: \(why); no password sent"
        case .unlockFailed(let why):
            "the unlock failed: \(why)"
        case .unreadable(let why):
            "came back as mass storage, but its medium could not be read: \(why)"
        }
    }

    /// "1.250 s".
    static func seconds(_ ms: Int64) -> String {
        let whole = ms / 1000, frac = abs(ms % 1000)
        return "\(whole).\(String(repeating: "0", count: 3 - String(frac).count))\(frac) s"
    }
}
