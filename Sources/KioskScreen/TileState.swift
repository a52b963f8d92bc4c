/// What the officer's screen says a bay is doing, in the words an officer acts on: Chinese
/// first, English under it, with a symbol, so that colour is never the only signal.
public enum TileState: String, Codable, Sendable, CaseIterable {
    /// Identifying, logging in, listing or pulling: leave the recorder where it is.
    case reading
    /// Pulled; being checked, sealed, forwarded or released: still leave it.
    case verifying
    /// Done: every recording is safely copied (or was already); the recorder may be taken.
    case safeToTake = "safe-to-take"
    /// The recorder was taken out (or the service stopped) before the end: dock it again and
    /// the next dock goes on where this one stopped.
    case dockAgain = "dock-again"
    /// The dock could not do its job (wrong password, a recorder that will not answer, a full
    /// store): someone has to look.
    case needsTechnician = "needs-technician"

    /// The state for a dock phase as the service reports it (`BayStatus.state`); an unknown
    /// phase is a technician's matter.
    public init(phase: String) {
        switch phase {
        case "identifying", "authenticating", "cataloguing", "ingesting": self = .reading
        case "verifying", "finalizing", "forwarding", "releasing": self = .verifying
        case "done": self = .safeToTake
        case "interrupted": self = .dockAgain
        default: self = .needsTechnician
        }
    }

    /// The Chinese words, first and largest.
    public var chinese: String {
        switch self {
        case .reading: "接入中"
        case .verifying: "校验中"
        case .safeToTake: "可取走"
        case .dockAgain: "未完成 请重新接入"
        case .needsTechnician: "请联系管理员"
        }
    }

    /// The English line under them.
    public var english: String {
        switch self {
        case .reading: "Reading"
        case .verifying: "Verifying"
        case .safeToTake: "Safe to take"
        case .dockAgain: "Not finished: dock it again"
        case .needsTechnician: "Needs a technician"
        }
    }

    /// A symbol beside the words (the same meaning without colour).
    public var symbol: String {
        switch self {
        case .reading: "⇣"
        case .verifying: "⋯"
        case .safeToTake: "✓"
        case .dockAgain: "↻"
        case .needsTechnician: "!"
        }
    }

    /// Whether the officer must leave the recorder in its bay.
    public var keepDocked: Bool { self == .reading || self == .verifying }
}
