/// Why a byte stream could not be turned into frames.
///
/// Errors marked *recoverable* leave the decoder in step with the stream: the bad frame has
/// been skipped whole (its header was intact, so its length could be trusted) and `next()`
/// goes on with the following frame. The others mean the stream is out of step; the decoder
/// keeps failing with the same error until `reset()` and the link must be resynchronised
/// (Docs/protocol.md, "Errors and recovery").
public enum FrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first four bytes of a header are not "ZFYR".
    case badMagic(found: [UInt8])
    /// The header's own CRC-32C does not match its first 24 bytes.
    case headerCheckMismatch(stored: UInt32, computed: UInt32)
    /// The header names a protocol version this implementation does not speak.
    case unsupportedVersion(UInt8)
    /// The declared payload is longer than the negotiated maximum.
    case payloadTooLarge(length: Int, maximum: Int, tag: UInt32)
    /// Recoverable: an intact header with an opcode this version does not define.
    case unknownOpcode(UInt8, tag: UInt32, payloadLength: Int)
    /// Recoverable: the payload does not match the header's CRC-32C. For a READ reply the
    /// caller re-reads the range of that tag.
    case payloadCheckMismatch(opcode: Opcode, tag: UInt32, stored: UInt32, computed: UInt32)
    /// The stream ended inside a frame.
    case truncated(have: Int, need: Int)

    /// Whether the decoder is still in step with the stream after this error.
    public var isRecoverable: Bool {
        switch self {
        case .unknownOpcode, .payloadCheckMismatch: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .badMagic(let found):
            "bad frame magic \(found.map { hex2($0) }.joined(separator: " ")) (expected 5A 46 59 52 \"ZFYR\")"
        case .headerCheckMismatch(let stored, let computed):
            "frame header check mismatch: header says \(hex8(stored)), bytes give \(hex8(computed))"
        case .unsupportedVersion(let v):
            "unsupported protocol version \(v) (this gateway speaks version \(FrameHeader.currentVersion))"
        case .payloadTooLarge(let length, let maximum, let tag):
            "frame tag \(tag) declares a \(length)-byte payload, over the negotiated maximum of \(maximum)"
        case .unknownOpcode(let op, let tag, _):
            "frame tag \(tag) has unknown opcode 0x\(hex2(op))"
        case .payloadCheckMismatch(let opcode, let tag, let stored, let computed):
            "\(opcode) frame tag \(tag): payload check mismatch: header says \(hex8(stored)), payload gives \(hex8(computed))"
        case .truncated(let have, let need):
            "stream ended inside a frame: have \(have) of \(need) bytes"
        }
    }
}

func hex2(_ v: UInt8) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return s.count == 1 ? "0" + s : s
}

func hex8(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
