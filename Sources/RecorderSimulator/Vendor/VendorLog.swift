import Foundation

/// Everything a simulated vendor device received, in arrival order, with the password never
/// kept: a command that carried one is logged as `<password>` and whether it matched. Tests
/// read it to assert how often the password went out.
public final class VendorLog: @unchecked Sendable {
    public struct Entry: Hashable, Sendable {
        /// 1 for the first command since the device was docked.
        public var number: Int
        /// The family's name of the command ("Gdv", "login", "result"), or "unparsed".
        public var command: String
        /// The command as received, `<password>` in place of a password.
        public var text: String
        /// Whether it carried a password (right or wrong).
        public var carriedPassword: Bool
        /// Whether that password was the device's; nil when none was carried.
        public var passwordMatched: Bool?
        /// Time since the device was docked.
        public var time: Duration
    }

    private let lock = NSLock()
    private var list: [Entry] = []
    private let start = ContinuousClock.now

    public init() {}

    public var entries: [Entry] { lock.withLock { list } }

    /// How many commands carried a password.
    public var passwordAttempts: Int { entries.filter(\.carriedPassword).count }

    /// The names of the commands received, in order.
    public var commands: [String] { entries.map(\.command) }

    func append(_ command: String, text: String, passwordMatched: Bool? = nil) {
        lock.withLock {
            list.append(Entry(number: list.count + 1, command: command, text: text, carriedPassword: passwordMatched != nil,
                              passwordMatched: passwordMatched, time: ContinuousClock.now - start))
        }
    }
}
