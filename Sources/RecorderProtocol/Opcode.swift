/// The operations of protocol version 1. A reply carries the opcode of its request with the
/// response flag set.
public enum Opcode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case hello = 0x01
    case identity = 0x02
    case authChallenge = 0x03
    case authResponse = 0x04
    case clockGet = 0x05
    case clockSet = 0x06
    case status = 0x07
    case catalog = 0x08
    case read = 0x09
    case release = 0x0A

    /// The name used in Docs/protocol.md and in error messages.
    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .identity: "IDENTITY"
        case .authChallenge: "AUTH_CHALLENGE"
        case .authResponse: "AUTH_RESPONSE"
        case .clockGet: "CLOCK_GET"
        case .clockSet: "CLOCK_SET"
        case .status: "STATUS"
        case .catalog: "CATALOG"
        case .read: "READ"
        case .release: "RELEASE"
        }
    }
}
