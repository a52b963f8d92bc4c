/// One protocol frame: a header and its payload.
public struct Frame: Hashable, Sendable {
    public var opcode: Opcode
    public var isResponse: Bool
    public var tag: UInt32
    public var status: Status
    public var payload: [UInt8]

    public init(opcode: Opcode, isResponse: Bool, tag: UInt32, status: Status = .ok, payload: [UInt8] = []) {
        self.opcode = opcode
        self.isResponse = isResponse
        self.tag = tag
        self.status = status
        self.payload = payload
    }

    /// A request frame carrying `message`.
    public static func request<M: RequestMessage>(_ message: M, tag: UInt32) -> Frame {
        Frame(opcode: M.opcode, isResponse: false, tag: tag, payload: message.encoded())
    }

    /// A successful reply frame carrying `message`.
    public static func reply<M: ReplyMessage>(_ message: M, tag: UInt32) -> Frame {
        Frame(opcode: M.opcode, isResponse: true, tag: tag, payload: message.encoded())
    }

    /// A failed reply: `status` with its detail (see `ErrorDetail`).
    public static func failure(_ opcode: Opcode, tag: UInt32, status: Status, detail: ErrorDetail = ErrorDetail()) -> Frame {
        Frame(opcode: opcode, isResponse: true, tag: tag, status: status, payload: detail.encoded())
    }

    /// The frame's bytes on the wire: header (with both checks) followed by the payload.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(FrameHeader.size + payload.count)
        encode(into: &out)
        return out
    }

    /// Appends the frame's bytes to `out`.
    public func encode(into out: inout [UInt8]) {
        let header = FrameHeader(opcode: opcode, isResponse: isResponse, tag: tag, status: status,
                                 payloadLength: UInt32(payload.count), payloadCRC: CRC32C.checksum(payload))
        out.append(contentsOf: header.encoded())
        out.append(contentsOf: payload)
    }
}
