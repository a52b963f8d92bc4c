/// READ request: a byte range of one recording.
///
/// ```
/// u32  id
/// u64  offset
/// u32  length    1 ... negotiated maxPayload − 12
/// ```
/// Several READs may be in flight (up to HELLO's maxInFlight), each with its own tag; the
/// device may answer them in any order.
public struct ReadRequest: RequestMessage {
    public static let opcode = Opcode.read
    /// Bytes of a READ reply payload in front of the data.
    public static let replyOverhead = 12

    public var id: UInt32
    public var offset: UInt64
    public var length: UInt32

    public init(id: UInt32, offset: UInt64, length: UInt32) {
        self.id = id
        self.offset = offset
        self.length = length
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        id = try r.u32("id")
        offset = try r.u64("offset")
        length = try r.u32("length")
        try r.finish()
        if length == 0 { throw r.fail("length", "is 0") }
    }

    public func encode(into w: inout ByteWriter) {
        w.u32(id)
        w.u64(offset)
        w.u32(length)
    }
}

/// READ reply: exactly the bytes asked for.
///
/// ```
/// u32  id        as requested
/// u64  offset    as requested
/// ...  data      exactly the requested length
/// ```
/// A range that is not wholly inside the recording gets RANGE_INVALID, never a short reply.
public struct ReadReply: ReplyMessage {
    public static let opcode = Opcode.read
    public var id: UInt32
    public var offset: UInt64
    /// The data, sharing storage with the frame payload it was decoded from.
    public var data: ArraySlice<UInt8>

    public init(id: UInt32, offset: UInt64, data: ArraySlice<UInt8>) {
        self.id = id
        self.offset = offset
        self.data = data
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        id = try r.u32("id")
        offset = try r.u64("offset")
        data = r.rest()
    }

    public func encode(into w: inout ByteWriter) {
        w.u32(id)
        w.u64(offset)
        w.bytes(data)
    }

    /// The frame bytes of a READ reply built straight from the data, without an intermediate
    /// payload array: the device side's hot path.
    public static func frameBytes(tag: UInt32, id: UInt32, offset: UInt64, data: UnsafeRawBufferPointer) -> [UInt8] {
        var prefix = ByteWriter(capacity: ReadRequest.replyOverhead)
        prefix.u32(id)
        prefix.u64(offset)
        var crc = CRC32C()
        crc.update(prefix.buffer)
        crc.update(data)
        let header = FrameHeader(opcode: .read, isResponse: true, tag: tag,
                                 payloadLength: UInt32(ReadRequest.replyOverhead + data.count), payloadCRC: crc.value)
        var out = [UInt8]()
        out.reserveCapacity(FrameHeader.size + ReadRequest.replyOverhead + data.count)
        out.append(contentsOf: header.encoded())
        out.append(contentsOf: prefix.buffer)
        out.append(contentsOf: data)
        return out
    }
}
