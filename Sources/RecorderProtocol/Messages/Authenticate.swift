/// AUTH_CHALLENGE request: empty. The device answers with a fresh nonce.
public struct AuthChallengeRequest: RequestMessage {
    public static let opcode = Opcode.authChallenge
    public init() {}
    public init(payload: [UInt8]) throws(MessageError) { try Self.reader(payload).finish() }
    public func encode(into w: inout ByteWriter) {}
}

/// AUTH_CHALLENGE reply: 32 random bytes, new for every challenge.
public struct AuthChallengeReply: ReplyMessage {
    public static let opcode = Opcode.authChallenge
    public var nonce: [UInt8]

    public init(nonce: [UInt8]) { self.nonce = nonce }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        nonce = try r.bytes(32, "nonce")
        try r.finish()
    }

    public func encode(into w: inout ByteWriter) { w.bytes(nonce) }
}

/// AUTH_RESPONSE request: HMAC-SHA256(key: the password's UTF-8 bytes, message: the nonce of
/// the latest AUTH_CHALLENGE). The password itself never crosses the wire.
///
/// The device replies OK (empty payload), PASSWORD_WRONG (detail: attempts left), or
/// LOCKED_OUT (detail: seconds until it accepts another attempt).
public struct AuthResponseRequest: RequestMessage {
    public static let opcode = Opcode.authResponse
    public var mac: [UInt8]

    public init(mac: [UInt8]) { self.mac = mac }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        mac = try r.bytes(32, "mac")
        try r.finish()
    }

    public func encode(into w: inout ByteWriter) { w.bytes(mac) }
}

/// AUTH_RESPONSE reply: empty; its status says whether the password was right.
public struct AuthResponseReply: ReplyMessage {
    public static let opcode = Opcode.authResponse
    public init() {}
    public init(payload: [UInt8]) throws(MessageError) { try Self.reader(payload).finish() }
    public func encode(into w: inout ByteWriter) {}
}
