/// A complete HTTP answer: the final status (a `100 Continue` before it is skipped), its
/// headers and its whole body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header values by lower-case name; a name that came more than once has its values
    /// joined with ", " (RFC 9110 §5.3).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of header `name` (lower case).
    public func header(_ name: String) -> String? { headers[name] }
}
