/// Turns a byte stream, delivered in chunks of any size, into frames.
///
/// Guarantees: the same bytes give the same frames however they are chunked; a frame is
/// returned only when its header check and payload check both pass; memory held is bounded by
/// one header plus the negotiated maximum payload plus the unconsumed part of the last chunk;
/// no input makes it trap.
public struct FrameDecoder: Sendable {
    /// The largest payload accepted. Starts at `FrameHeader.initialMaximumPayload`; raise it to
    /// the value HELLO negotiated.
    public var maximumPayload: Int

    private var buffer: [UInt8] = []
    private var start = 0
    private var pendingHeader: FrameHeader?
    private var failure: FrameError?

    public init(maximumPayload: Int = FrameHeader.initialMaximumPayload) {
        self.maximumPayload = min(maximumPayload, FrameHeader.protocolMaximumPayload)
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds received bytes. When nothing is buffered the array is adopted without copying:
    /// a link usually delivers each frame as one transfer.
    public mutating func append(_ bytes: [UInt8]) {
        if bufferedByteCount == 0 {
            buffer = bytes
            start = 0
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Adds received bytes.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    ///
    /// Throws a recoverable `FrameError` for a frame that was skipped (call again to go on)
    /// and an unrecoverable one, repeatedly, once the stream is out of step.
    public mutating func next() throws(FrameError) -> Frame? {
        if let failure { throw failure }
        if skipping > 0 {
            discardSkipped()
            if skipping > 0 { return nil }
        }
        if pendingHeader == nil {
            guard bufferedByteCount >= FrameHeader.size else { return nil }
            let limit = maximumPayload
            let result: Result<FrameHeader, FrameError> = buffer.withUnsafeBytes { raw in
                let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + FrameHeader.size)])
                do throws(FrameError) {
                    return .success(try FrameHeader.decode(slice, maximumPayload: limit))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .success(let header):
                start += FrameHeader.size
                pendingHeader = header
            case .failure(let error):
                if case .unknownOpcode(_, _, let length) = error {
                    // The header is intact, so its length is trustworthy: skip header and
                    // payload when both are here, else fall through to the skip below.
                    start += FrameHeader.size
                    skipping = length
                    discardSkipped()
                    throw error
                }
                failure = error
                throw error
            }
        }
        guard let header = pendingHeader else { return nil }
        let length = Int(header.payloadLength)
        guard bufferedByteCount >= length else { return nil }
        let payload = Array(buffer[start..<(start + length)])
        start += length
        pendingHeader = nil
        compactIfWorthwhile()
        let computed = CRC32C.checksum(payload)
        if computed != header.payloadCRC {
            throw .payloadCheckMismatch(opcode: header.opcode, tag: header.tag,
                                        stored: header.payloadCRC, computed: computed)
        }
        return Frame(opcode: header.opcode, isResponse: header.isResponse, tag: header.tag,
                     status: header.status, payload: payload)
    }

    /// Call when the stream has ended (device gone, capture finished). Throws `.truncated`
    /// if bytes of an incomplete frame remain.
    public func finish() throws(FrameError) {
        if let failure { throw failure }
        if let header = pendingHeader {
            throw .truncated(have: FrameHeader.size + bufferedByteCount,
                             need: FrameHeader.size + Int(header.payloadLength))
        }
        if skipping > 0 {
            throw .truncated(have: bufferedByteCount, need: skipping)
        }
        if bufferedByteCount > 0 {
            throw .truncated(have: bufferedByteCount, need: FrameHeader.size)
        }
    }

    /// Forgets all buffered bytes and any failure, for use after the link was resynchronised.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: false)
        start = 0
        pendingHeader = nil
        failure = nil
        skipping = 0
    }

    /// Payload bytes of a skipped frame still to discard.
    private var skipping = 0

    private mutating func discardSkipped() {
        let n = min(skipping, bufferedByteCount)
        start += n
        skipping -= n
        compactIfWorthwhile()
    }

    private mutating func compactIfWorthwhile() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 65536 && start * 2 > buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}
