import Foundation

/// Where the status page listens (`status-listen`, `--status-listen`): a numeric IPv4 address
/// and port (`127.0.0.1:8470`), an IPv6 one in brackets (`[::1]:8470`), `localhost:PORT`
/// (127.0.0.1), or `none`. Names other than localhost are refused: the kiosk's own address is
/// configured, never resolved.
public enum StatusListen: Sendable, Equatable, CustomStringConvertible {
    case off
    case at(host: String, port: UInt16)

    /// The service's default: the kiosk's own screen, on the loopback address only.
    public static let serviceDefault = StatusListen.at(host: "127.0.0.1", port: 8470)

    /// Nil when `text` is none of the forms above, or the port is not 0...65535.
    public init?(_ text: String) {
        if text == "none" {
            self = .off
            return
        }
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, String(host), &v6) == 1 else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon] == "localhost" ? "127.0.0.1" : text[..<colon]
            portText = text[text.index(after: colon)...]
            var v4 = in_addr()
            guard inet_pton(AF_INET, String(host), &v4) == 1 else { return nil }
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let port = UInt16(portText) else { return nil }
        self = .at(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .off: "none"
        case .at(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
