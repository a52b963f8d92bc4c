/// A payload layout of protocol version 1, tied to its opcode.
///
/// Guarantees: `try M(payload: m.encoded()) == m` for every valid `m`; decoding never traps
/// and rejects anything structurally wrong with a `MessageError` naming the field.
public protocol WireMessage: Hashable, Sendable {
    static var opcode: Opcode { get }
    /// "request" or "reply", for error messages.
    static var direction: String { get }
    init(payload: [UInt8]) throws(MessageError)
    func encode(into writer: inout ByteWriter)
}

/// A message the host sends.
public protocol RequestMessage: WireMessage {}
/// A message the device sends back with status OK.
public protocol ReplyMessage: WireMessage {}

extension RequestMessage { public static var direction: String { "request" } }
extension ReplyMessage { public static var direction: String { "reply" } }

extension WireMessage {
    /// The payload bytes.
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        encode(into: &w)
        return w.buffer
    }

    /// A reader whose errors name this message ("IDENTITY reply").
    static func reader(_ payload: [UInt8]) -> ByteReader {
        ByteReader(payload, context: "\(opcode) \(direction)")
    }
}

/// The payload of a reply whose status is not OK: a status-specific value and a message.
///
/// ```
/// u32  value    PASSWORD_WRONG: attempts left; LOCKED_OUT: seconds until unlock;
///               BUSY: suggested wait in ms; otherwise 0
/// ...  message  UTF-8, the rest of the payload, at most 256 bytes
/// ```
/// An empty payload is accepted as value 0 and no message.
public struct ErrorDetail: Hashable, Sendable {
    public static let maxMessageBytes = 256
    public var value: UInt32
    public var message: String

    public init(value: UInt32 = 0, message: String = "") {
        self.value = value
        self.message = message
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u32(value)
        w.bytes(ErrorDetail.clipped(message).utf8)
        return w.buffer
    }

    /// The longest prefix of `text` within `maxMessageBytes` UTF-8 bytes that ends between
    /// scalars: cutting inside one would put invalid UTF-8 on the wire.
    static func clipped(_ text: String) -> Substring {
        var bytes = 0
        var end = text.unicodeScalars.startIndex
        for scalar in text.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maxMessageBytes { break }
            end = text.unicodeScalars.index(after: end)
        }
        return Substring(text.unicodeScalars[..<end])
    }

    /// Decodes leniently: a device's error text is shown to people, so invalid UTF-8 is
    /// replaced rather than rejected, and overlong text is cut. The message is cut after the
    /// replacement (each U+FFFD takes three bytes), so that it fits in `maxMessageBytes` and
    /// `ErrorDetail(payload: d.encoded()) == d` holds for every decoded `d`.
    public init(payload: [UInt8]) {
        guard payload.count >= 4 else {
            self.init()
            return
        }
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(payload[k]) << (8 * k) }
        let text = payload[4...].prefix(ErrorDetail.maxMessageBytes).filter { $0 != 0 }
        self.init(value: v, message: String(ErrorDetail.clipped(String(decoding: text, as: UTF8.self))))
    }
}
