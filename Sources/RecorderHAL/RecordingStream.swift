/// One piece of a recording: `data` is the recording's bytes from `offset` on.
public struct RecordingChunk: Sendable {
    public var offset: UInt64
    public var data: ArraySlice<UInt8>

    public init(offset: UInt64, data: ArraySlice<UInt8>) {
        self.offset = offset
        self.data = data
    }
}

/// A byte range of one recording, streamed: what `Recorder.read` returns in every family.
///
/// Guarantees every family gives: chunks are contiguous, in order, and together exactly cover
/// the range; a chunk the transport delivered damaged is read again by the family (up to a
/// bound) before the stream fails; memory held ahead of the consumer is bounded. One task
/// consumes a stream; `cancel` may be called from another.
public protocol RecordingStream: AnyObject, Sendable {
    /// The next chunk, or nil once the whole range has been delivered.
    ///
    /// - Throws: `RecorderError` with context "recording ID at offset N".
    func next() async throws(RecorderError) -> RecordingChunk?

    /// Stops reading ahead; later `next` calls return nil.
    func cancel()

    /// Chunks read again after they arrived damaged or wrong-sized.
    var rereads: Int { get }
}
