import RecorderHAL
import RecorderProtocol

/// Protocol v1's `RecordingStream`: a byte range of one recording, delivered in order as chunks
/// while several READs are in flight underneath.
///
/// Guarantees, beyond the stream's: chunks are contiguous, in order, and together exactly cover the range; each
/// came in a frame whose CRC-32C matched and whose id, offset and length answer the request;
/// a chunk that failed its check, or that the device answered BAD_REQUEST (request damaged on
/// the way) or BUSY, is asked for again up to `maxRereads` times; at most `window`
/// chunks are requested ahead of the consumer (back-pressure: memory stays at window × chunk).
/// One task consumes a reader.
public final class RecordingReader: RecordingStream, @unchecked Sendable {
    private let client: ProtocolClient
    private let id: UInt32
    private let range: Range<UInt64>
    private let chunk: Int
    private let window: Int
    private let timeout: Duration
    private let maxRereads: Int

    private var nextRequest: UInt64
    private var nextDeliver: UInt64
    private var inFlight: [UInt64: Task<ReadReply, any Error>] = [:]
    private var rereadsAt: [UInt64: Int] = [:]

    /// Chunks read again after a failed frame check or a wrong-sized reply.
    public private(set) var rereads = 0

    init(client: ProtocolClient, id: UInt32, range: Range<UInt64>, chunk: Int, window: Int,
         timeout: Duration, maxRereads: Int) {
        self.client = client
        self.id = id
        self.range = range
        self.chunk = chunk
        self.window = max(1, window)
        self.timeout = timeout
        self.maxRereads = maxRereads
        self.nextRequest = range.lowerBound
        self.nextDeliver = range.lowerBound
    }

    deinit {
        for task in inFlight.values { task.cancel() }
    }

    /// The next chunk, or nil once the whole range has been delivered.
    ///
    /// - Throws: `RecorderError` with context "recording ID at offset N".
    public func next() async throws(RecorderError) -> RecordingChunk? {
        guard nextDeliver < range.upperBound else { return nil }
        fillWindow()
        let offset = nextDeliver
        while true {
            guard let task = inFlight[offset] else {
                preconditionFailure("RecordingReader: no READ in flight for the next offset")
            }
            let reply: ReadReply
            do {
                reply = try await task.value
                inFlight[offset] = nil
            } catch let error as RecorderError {
                inFlight[offset] = nil
                switch (error.reason, error.deviceStatus) {
                case (.corruptReply, _), (_, .badRequest?):
                    // A damaged reply, or a request the device received damaged: ask again.
                    try reread(offset, because: error)
                    continue
                case (.device(let refusal), .busy?):
                    // More requests in flight than the device takes (one that timed out may
                    // still be running there): wait as suggested, then ask again.
                    try? await Task.sleep(for: .milliseconds(Int(min(refusal.value, 1000))))
                    try reread(offset, because: error)
                    continue
                default:
                    break
                }
                cancelAll()
                throw error.context("recording \(id) at offset \(offset)")
            } catch {
                inFlight[offset] = nil
                cancelAll()
                throw RecorderError(.cancelled, context: ["recording \(id) at offset \(offset)"])
            }
            if reply.id != id || reply.offset != offset {
                cancelAll()
                throw RecorderError(.unexpectedReply(
                    "asked for recording \(id) at \(offset), got recording \(reply.id) at \(reply.offset)"),
                    context: ["recording \(id) at offset \(offset)"])
            }
            let expected = length(at: offset)
            if reply.data.count != expected {
                try reread(offset, because: RecorderError(.unexpectedReply("asked for \(expected) bytes, got \(reply.data.count)")))
                continue
            }
            nextDeliver = offset + UInt64(expected)
            fillWindow()
            return RecordingChunk(offset: offset, data: reply.data)
        }
    }

    /// Cancels the READs still in flight.
    public func cancel() { cancelAll() }

    private func reread(_ offset: UInt64, because error: RecorderError) throws(RecorderError) {
        let count = rereadsAt[offset, default: 0]
        guard count < maxRereads else {
            cancelAll()
            throw error.context("recording \(id) at offset \(offset) (after \(count) re-reads)")
        }
        rereadsAt[offset] = count + 1
        rereads += 1
        inFlight[offset] = launch(offset)
    }

    private func length(at offset: UInt64) -> Int {
        Int(min(UInt64(chunk), range.upperBound - offset))
    }

    private func fillWindow() {
        while inFlight.count < window && nextRequest < range.upperBound {
            inFlight[nextRequest] = launch(nextRequest)
            nextRequest += UInt64(length(at: nextRequest))
        }
    }

    private func launch(_ offset: UInt64) -> Task<ReadReply, any Error> {
        let request = ReadRequest(id: id, offset: offset, length: UInt32(length(at: offset)))
        let client = self.client, timeout = self.timeout
        return Task {
            let frame = try await client.exchange(.request(request, tag: 0), timeout: timeout)
            return try ZFYBulkRecorder.decodeReply(frame) as ReadReply
        }
    }

    private func cancelAll() {
        for task in inFlight.values { task.cancel() }
        inFlight.removeAll()
        nextRequest = range.upperBound
        nextDeliver = range.upperBound
    }
}
