import RecorderHAL

/// The messages that carry one `USBTransferLink` call to a simulated device in another process
/// and its outcome back (`recorder-sim serve` with a mass-storage recorder). Pure: bytes in,
/// values out. Each message travels in a `MessageFraming` frame; integers are little-endian.
///
/// Request: a kind byte, the call's timeout in milliseconds (u32, `Duration.transferMilliseconds`), then
/// - bulk OUT (1): the transfer's bytes;
/// - bulk IN (2): the length asked (u32);
/// - control (3): bmRequestType, bRequest, wValue (u16), wIndex (u16), the length (u32), the
///   OUT data;
/// - clear halt (4): the direction (0 bulk IN, 1 bulk OUT, 2 control).
///
/// Reply: 0 and the bytes (none for bulk OUT, a clear or an OUT control transfer), or a
/// `LinkError`: 1 timed out (direction, milliseconds u32), 2 device gone, 3 stalled (endpoint),
/// 4 closed, 5 any other (UTF-8 text).
public enum TransferWire {
    /// One `USBTransferLink` call.
    public enum Request: Hashable, Sendable {
        case bulkOut([UInt8], timeoutMilliseconds: UInt32)
        case bulkIn(length: UInt32, timeoutMilliseconds: UInt32)
        case control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: UInt32, data: [UInt8],
                     timeoutMilliseconds: UInt32)
        case clearHalt(LinkError.Direction, timeoutMilliseconds: UInt32)
    }

    /// A message that is not one of the above, named for the log.
    public struct Malformed: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    // MARK: Requests

    public static func encode(_ request: Request) -> [UInt8] {
        var out: [UInt8] = []
        switch request {
        case .bulkOut(let bytes, let ms):
            out = [1]
            put32(ms, &out)
            out += bytes
        case .bulkIn(let length, let ms):
            out = [2]
            put32(ms, &out)
            put32(length, &out)
        case .control(let requestType, let request, let value, let index, let length, let data, let ms):
            out = [3]
            put32(ms, &out)
            out += [requestType, request, UInt8(value & 0xFF), UInt8(value >> 8), UInt8(index & 0xFF), UInt8(index >> 8)]
            put32(length, &out)
            out += data
        case .clearHalt(let direction, let ms):
            out = [4]
            put32(ms, &out)
            out.append(code(direction))
        }
        return out
    }

    public static func decodeRequest(_ m: [UInt8]) throws(Malformed) -> Request {
        guard m.count >= 5 else { throw Malformed(description: "a request of \(m.count) bytes") }
        let ms = get32(m, 1)
        switch m[0] {
        case 1: return .bulkOut(Array(m[5...]), timeoutMilliseconds: ms)
        case 2:
            guard m.count == 9 else { throw Malformed(description: "a bulk IN request of \(m.count) bytes") }
            return .bulkIn(length: get32(m, 5), timeoutMilliseconds: ms)
        case 3:
            guard m.count >= 15 else { throw Malformed(description: "a control request of \(m.count) bytes") }
            return .control(requestType: m[5], request: m[6], value: UInt16(m[7]) | UInt16(m[8]) << 8,
                            index: UInt16(m[9]) | UInt16(m[10]) << 8, length: get32(m, 11), data: Array(m[15...]),
                            timeoutMilliseconds: ms)
        case 4:
            guard m.count == 6, let direction = direction(m[5]) else { throw Malformed(description: "a clear-halt request \(shown(m))") }
            return .clearHalt(direction, timeoutMilliseconds: ms)
        default: throw Malformed(description: "request kind \(m[0])")
        }
    }

    // MARK: Replies

    public static func encode(_ reply: Result<[UInt8], LinkError>) -> [UInt8] {
        switch reply {
        case .success(let bytes): return [0] + bytes
        case .failure(.timedOut(let direction, let ms)):
            var out: [UInt8] = [1, code(direction)]
            put32(UInt32(clamping: ms), &out)
            return out
        case .failure(.deviceGone): return [2]
        case .failure(.stalled(let endpoint)): return [3, endpoint]
        case .failure(.closed): return [4]
        case .failure(.io(let text)): return [5] + Array(text.utf8)
        }
    }

    /// The longest failure text a device process may send (its own errors are one line).
    public static let maximumFailureText = 1024

    /// The outcome in `m`; a device that sent more than `limit` bytes, or a failure text over
    /// `maximumFailureText`, is a malformed reply.
    public static func decodeReply(_ m: [UInt8], limit: Int) throws(Malformed) -> Result<[UInt8], LinkError> {
        guard let kind = m.first else { throw Malformed(description: "an empty reply") }
        switch kind {
        case 0:
            guard m.count - 1 <= limit else { throw Malformed(description: "\(m.count - 1) bytes for a transfer of \(limit)") }
            return .success(Array(m[1...]))
        case 1:
            guard m.count == 6, let direction = direction(m[1]) else { throw Malformed(description: "a timed-out reply \(shown(m))") }
            return .failure(.timedOut(direction: direction, milliseconds: Int(get32(m, 2))))
        case 2: return .failure(.deviceGone)
        case 3:
            guard m.count == 2 else { throw Malformed(description: "a stalled reply of \(m.count) bytes") }
            return .failure(.stalled(endpoint: m[1]))
        case 4: return .failure(.closed)
        case 5:
            // The text ends up in a log line and an anomaly: a device process's word is bounded.
            guard m.count - 1 <= maximumFailureText else { throw Malformed(description: "a failure text of \(m.count - 1) bytes") }
            return .failure(.io(String(decoding: m[1...], as: UTF8.self)))
        default: throw Malformed(description: "reply kind \(kind)")
        }
    }

    // MARK: Parts

    /// A malformed message for its description: its bytes when it is short, else its length
    /// only (a message may be 64 MiB, and the description ends up in a log line).
    private static func shown(_ m: [UInt8]) -> String {
        m.count <= 16 ? "\(m)" : "of \(m.count) bytes"
    }

    private static func code(_ d: LinkError.Direction) -> UInt8 {
        switch d {
        case .bulkIn: 0
        case .bulkOut: 1
        case .control: 2
        }
    }

    private static func direction(_ c: UInt8) -> LinkError.Direction? {
        switch c {
        case 0: .bulkIn
        case 1: .bulkOut
        case 2: .control
        default: nil
        }
    }

    private static func put32(_ v: UInt32, _ out: inout [UInt8]) {
        out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }

    private static func get32(_ m: [UInt8], _ at: Int) -> UInt32 {
        UInt32(m[at]) | UInt32(m[at + 1]) << 8 | UInt32(m[at + 2]) << 16 | UInt32(m[at + 3]) << 24
    }
}
