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
        var header: UInt32 = 0
        guard withUnsafeMutableBytes(of: &header, { readExactly(fd, $0.baseAddress!, 4) }) else { return .end }
        let length = UInt32(littleEndian: header)
        if length == goneMarker { return .gone }
        guard Int(length) <= maximumMessage else { return .oversized(UInt64(length)) }
        // Read straight into the array's storage: a 1 MiB reply is not zeroed first.
        var complete = true
        let body = [UInt8](unsafeUninitializedCapacity: Int(length)) { buffer, count in
            if let base = buffer.baseAddress { complete = readExactly(fd, UnsafeMutableRawPointer(base), Int(length)) }
            count = complete ? Int(length) : 0
        }
        return complete ? .message(body) : .end
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

    private static func readExactly(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var done = 0
        while done < count {
            let n = Glibc.read(fd, buffer + done, count - done)
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
