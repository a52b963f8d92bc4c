import Foundation

/// Length-prefixed messages on a pipe, the framing of `recorder-sim serve`: a u32
/// little-endian length and that many bytes; the length 0xFFFFFFFF alone says the device was
/// unplugged. Blocking reads and writes on a file descriptor: callers keep them off the
/// cooperative threads.
public enum FramedPipe {
    /// No message is longer (a bulk IN of the largest READ the gateway sends, with room).
    public static let maximumMessage = 64 << 20
    static let goneMarker = UInt32.max

    /// What one read found.
    public enum Read: Equatable, Sendable {
        case message([UInt8])
        /// The device was unplugged (the 0xFFFFFFFF length).
        case gone
        /// End of input, or a read error: the other side has gone away.
        case end
        /// A length over `maximumMessage`: the stream cannot be trusted further.
        case oversized(UInt64)
    }

    /// Reads one message from `fd`.
    public static func read(_ fd: Int32) -> Read {
        var header = [UInt8](repeating: 0, count: 4)
        guard readExactly(fd, &header, 4) else { return .end }
        let length = UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24
        if length == goneMarker { return .gone }
        guard Int(length) <= maximumMessage else { return .oversized(UInt64(length)) }
        var body = [UInt8](repeating: 0, count: Int(length))
        guard readExactly(fd, &body, Int(length)) else { return .end }
        return .message(body)
    }

    /// Writes `bytes` as one message; false when the reader has gone (EPIPE) or on any error.
    @discardableResult
    public static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        let n = UInt32(bytes.count)
        var frame = [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
        frame.reserveCapacity(4 + bytes.count)
        frame += bytes
        return writeAll(fd, frame)
    }

    /// Writes the "unplugged" marker.
    @discardableResult
    public static func writeGone(to fd: Int32) -> Bool {
        writeAll(fd, [0xFF, 0xFF, 0xFF, 0xFF])
    }

    private static func readExactly(_ fd: Int32, _ buffer: inout [UInt8], _ count: Int) -> Bool {
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, count - done) }
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }
}
