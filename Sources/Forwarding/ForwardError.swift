/// Forwarding cannot be set up: says why.
public struct ForwardError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
