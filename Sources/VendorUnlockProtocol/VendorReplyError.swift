/// Why a vendor device's reply cannot be used. Every reply is hostile: a device may send
/// nothing, too much, garbage, or repeat what it was sent.
///
/// Guarantees: no case quotes a reply given after the password was sent (a device that
/// received it could send it back to get it into a log): only lengths, positions and the values
/// of checked fields. The one quoted reply, `Ver`'s, comes before any password is sent.
public enum VendorReplyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The reply to `reply` had `received` bytes where exactly `expected` are required.
    case wrongLength(reply: String, received: Int, expected: Int)
    /// The reply to `reply` had `received` bytes; the family's replies have at most `limit`.
    case tooLong(reply: String, received: Int, limit: Int)
    /// The reply to `reply` was empty where the family always answers.
    case empty(reply: String)
    /// The reply to `reply` is not laid out as the family's replies are; `what` says how.
    case unexpected(reply: String, what: String)
    /// The device id in the `@Gdv` reply is not one the gateway accepts; `problem` says why.
    case badDeviceId(problem: String)

    public var description: String {
        switch self {
        case .wrongLength(let reply, let received, let expected):
            "\(reply) reply of \(received) bytes: exactly \(expected) expected"
        case .tooLong(let reply, let received, let limit):
            "\(reply) reply of \(received) bytes is longer than the \(limit) the family sends"
        case .empty(let reply):
            "\(reply) reply is empty"
        case .unexpected(let reply, let what):
            "\(reply) reply not understood: \(what)"
        case .badDeviceId(let problem):
            "device id refused: \(problem)"
        }
    }
}
