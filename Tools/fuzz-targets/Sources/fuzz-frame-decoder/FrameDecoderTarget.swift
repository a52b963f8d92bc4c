import FuzzSupport
import RecorderProtocol

/// The frame decoder on arbitrary bytes. Checks what `FrameDecoder` promises:
/// - no input traps;
/// - the stream in one piece and the same stream in chunks (cut by a generator seeded from
///   the input, so a reproducer replays the same cuts) give the same frames and errors;
/// - every frame re-encodes to the bytes it came from, except what the header says is
///   ignored (flag bits 1–7, the reserved bytes, and so the header check), and the
///   re-encoded frame decodes to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let whole = decode([bytes[...]], stream: bytes)
    var rng = SplitMix(hashing: bytes)
    for maxChunk in [1, 7, 64] {
        let split = decode(rng.chunks(bytes, maxChunk: maxChunk), stream: nil)
        invariant(split == whole, "chunks of at most \(maxChunk) bytes: \(split) != whole: \(whole)")
    }
    return 0
}

/// What a decoder said, in order: frames, errors, and how the stream ended.
enum Event: Equatable {
    case frame(Frame)
    case error(FrameError)
    case finished(FrameError?)
}

/// Decodes `chunks` until the stream is used up or out of step. With `stream` (the chunks
/// joined), each frame is also compared with the bytes it was decoded from.
func decode(_ chunks: [ArraySlice<UInt8>], stream: [UInt8]?) -> [Event] {
    var decoder = FrameDecoder()
    var events: [Event] = []
    var appended = 0
    for (i, chunk) in chunks.enumerated() {
        // Both append paths: the adopting [UInt8] one and the generic collection one.
        if i % 2 == 0 { decoder.append(Array(chunk)) } else { decoder.append(chunk) }
        appended += chunk.count
        while true {
            do throws(FrameError) {
                guard let frame = try decoder.next() else { break }
                events.append(.frame(frame))
                if let stream {
                    let end = appended - decoder.bufferedByteCount
                    checkReencoding(frame, original: Array(stream[(end - FrameHeader.size - frame.payload.count)..<end]))
                }
            } catch {
                events.append(.error(error))
                // Out of step: the decoder repeats this error until reset, so stop here.
                if !error.isRecoverable { return events }
            }
        }
    }
    do throws(FrameError) {
        try decoder.finish()
        events.append(.finished(nil))
    } catch {
        events.append(.finished(error))
    }
    return events
}

func checkReencoding(_ frame: Frame, original: [UInt8]) {
    let encoded = frame.encoded()
    invariant(encoded.count == original.count, "re-encoded length \(encoded.count) != \(original.count)")
    // Bytes 6 (flags), 7, 14, 15 (reserved) and 24..<28 (header check over them) may differ.
    for i in encoded.indices where ![6, 7, 14, 15, 24, 25, 26, 27].contains(i) {
        invariant(encoded[i] == original[i], "re-encoded byte \(i) is \(encoded[i]), was \(original[i])")
    }
    invariant(encoded[6] == original[6] & 1, "re-encoded flags \(encoded[6]) from \(original[6])")
    var again = FrameDecoder(maximumPayload: FrameHeader.protocolMaximumPayload)
    again.append(encoded)
    let back: Frame?
    do throws(FrameError) { back = try again.next() } catch { back = nil }
    invariant(back == frame, "re-encoded frame decodes to \(String(describing: back)), not \(frame)")
}
