import Foundation

/// The control API's wire format (Docs/control-api.md): one JSON object per line each way.
///
/// Request: `{"v": 1, "id": 7, "command": "devices", "args": {"target": "1-1.3"}}`.
/// Reply: `{"v": 1, "id": 7, "ok": true, "result": {...}}` or
/// `{"v": 1, "id": 7, "ok": false, "error": {"code": "not-found", "message": "..."}}`.
public enum ControlProtocol {
    /// The version this build speaks; a request with another is answered `unsupported-version`.
    public static let version = 1
    /// The longest request line accepted; a longer one is answered `bad-request` and dropped.
    public static let maxLineBytes = 64 * 1024
}

/// A request as the service receives it.
public struct ControlRequest: Sendable, Encodable {
    public var id: Int
    public var command: String
    public var args: [String: String]

    public init(id: Int, command: String, args: [String: String] = [:]) {
        self.id = id
        self.command = command
        self.args = args
    }

    enum CodingKeys: String, CodingKey { case v, id, command, args }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ControlProtocol.version, forKey: .v)
        try c.encode(id, forKey: .id)
        try c.encode(command, forKey: .command)
        try c.encode(args, forKey: .args)
    }

    /// The request's JSON line: `{"args":{...},"command":"...","id":N,"v":1}`.
    public func line() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = (try? encoder.encode(self)) ?? Data()
        data.append(0x0A)
        return data
    }

    /// Parses one line, or says what is wrong with it (for the error reply).
    static func parse(_ line: Data) -> Result<ControlRequest, ControlError> {
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
            return .failure(ControlError(code: "bad-request", message: "not a JSON object"))
        }
        guard let v = object["v"] as? Int else {
            return .failure(ControlError(code: "bad-request", message: "missing protocol version \"v\""))
        }
        guard v == ControlProtocol.version else {
            return .failure(ControlError(code: "unsupported-version", message: "this service speaks version \(ControlProtocol.version), not \(v)"))
        }
        guard let command = object["command"] as? String, !command.isEmpty else {
            return .failure(ControlError(code: "bad-request", message: "missing \"command\""))
        }
        var args: [String: String] = [:]
        if let raw = object["args"] {
            guard let dict = raw as? [String: Any] else {
                return .failure(ControlError(code: "bad-request", message: "\"args\" must be an object"))
            }
            for (k, v) in dict {
                guard let s = v as? String else {
                    return .failure(ControlError(code: "bad-request", message: "args.\(k) must be a string"))
                }
                args[k] = s
            }
        }
        return .success(ControlRequest(id: object["id"] as? Int ?? 0, command: command, args: args))
    }
}

/// A refusal with a stable code: `bad-request`, `unsupported-version`, `unknown-command`,
/// `not-found`, `failed`.
public struct ControlError: Error, Sendable, Codable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// A reply line: `{"id":N,"ok":true,"result":{...},"v":1}` or `{"error":{...},"id":N,"ok":false,"v":1}`.
struct ControlReply<Payload> {
    var v = ControlProtocol.version
    var id: Int
    var ok: Bool
    var result: Payload?
    var error: ControlError?
}

extension ControlReply: Encodable where Payload: Encodable {}
extension ControlReply: Decodable where Payload: Decodable {}

extension ControlReply where Payload: Encodable {
    /// Encodes with sorted keys and unescaped slashes, as the wire always was.
    func line() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = (try? encoder.encode(self))
            ?? Data(#"{"ok":false,"error":{"code":"failed","message":"reply not encodable"}}"#.utf8)
        data.append(0x0A)
        return data
    }
}

/// Builds reply lines.
enum ControlReplyLine {
    static func success<R: Encodable>(id: Int, result: R) -> Data {
        ControlReply(id: id, ok: true, result: result, error: nil).line()
    }

    static func failure(id: Int, _ error: ControlError) -> Data {
        ControlReply<NoResult>(id: id, ok: false, result: nil, error: error).line()
    }
}

/// The result type of a refusal, which carries none.
struct NoResult: Encodable {}
