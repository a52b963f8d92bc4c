/// RELEASE request: the host holds a verified copy of the recording; the device may free it.
///
/// ```
/// u32  id
/// 32   sha256    the host's SHA-256 of the whole file
/// ```
/// The device must compare `sha256` with its own hash of the file and reply HASH_MISMATCH,
/// freeing nothing, when they differ. It replies OK (empty payload) once the space is freed.
public struct ReleaseRequest: RequestMessage {
    public static let opcode = Opcode.release
    public var id: UInt32
    public var sha256: [UInt8]

    public init(id: UInt32, sha256: [UInt8]) {
        self.id = id
        self.sha256 = sha256
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        id = try r.u32("id")
        sha256 = try r.bytes(32, "sha256")
        try r.finish()
    }

    public func encode(into w: inout ByteWriter) {
        w.u32(id)
        w.bytes(sha256)
    }
}

/// RELEASE reply: empty.
public struct ReleaseReply: ReplyMessage {
    public static let opcode = Opcode.release
    public init() {}
    public init(payload: [UInt8]) throws(MessageError) { try Self.reader(payload).finish() }
    public func encode(into w: inout ByteWriter) {}
}
