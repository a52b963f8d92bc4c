import Foundation

/// A recorder's time log or event log, read into events.
///
/// The format (Docs/simulator.md, section 5.3): UTF-8 lines, each ended by one LF, each
/// `<YYYY-MM-DDThh:mm:ss.mmm±hh:mm> <TYPE>[ <detail>]` with TYPE of `A`–`Z`, `0`–`9`, `_` and a
/// detail free of CR, LF and NUL.
///
/// Guarantees: tolerant of the file and strict about each line. No input makes it trap, and
/// every line is either an event or a rejected line with its 1-based number and a
/// `TimeLogLineError` saying why (`rejectedCount` counts them all; `rejected` keeps the first
/// `maximumRejectedKept`, so a hostile file cannot fill memory with complaints). Events keep
/// file order, which is the order things happened even when the device clock was set back.
/// Memory and time are linear in the input.
public struct TimeLog: Sendable, Hashable {
    /// Lines longer than this many bytes (LF not counted) are rejected unread.
    public static let maximumLineBytes = 4096
    /// How many rejected lines are kept with their reasons.
    public static let maximumRejectedKept = 1000

    /// One line that was not accepted.
    public struct RejectedLine: Sendable, Hashable {
        /// 1-based line number.
        public var line: Int
        /// What was wrong with it.
        public var reason: TimeLogLineError

        /// A rejected line.
        public init(line: Int, reason: TimeLogLineError) {
            self.line = line
            self.reason = reason
        }
    }

    /// The accepted lines, in file order.
    public private(set) var events: [TimeLogEvent] = []
    /// The first `maximumRejectedKept` rejected lines, in file order.
    public private(set) var rejected: [RejectedLine] = []
    /// How many lines were rejected in all.
    public private(set) var rejectedCount = 0
    /// How many lines the file has: LF-terminated ones plus a non-empty unterminated tail.
    public private(set) var lineCount = 0

    /// Reads a log from its bytes.
    public init(bytes: [UInt8]) {
        var lineStart = 0
        var number = 0
        while lineStart < bytes.count {
            number += 1
            let lf = bytes[lineStart...].firstIndex(of: 0x0A)
            let end = lf ?? bytes.count
            do throws(TimeLogLineError) {
                if lf == nil { throw .unterminated }
                events.append(try Self.parseLine(bytes[lineStart..<end], number: number))
            } catch {
                rejectedCount += 1
                if rejected.count < Self.maximumRejectedKept {
                    rejected.append(RejectedLine(line: number, reason: error))
                }
            }
            lineStart = end + 1
        }
        lineCount = number
    }

    /// Reads a log from its bytes.
    public init(data: Data) {
        self.init(bytes: [UInt8](data))
    }

    /// One line without its LF, checked in the order a reader would notice the trouble: size,
    /// bytes that must not be there, encoding, then the fields left to right.
    static func parseLine(_ line: ArraySlice<UInt8>, number: Int) throws(TimeLogLineError) -> TimeLogEvent {
        if line.isEmpty { throw .empty }
        if line.count > maximumLineBytes { throw .tooLong(bytes: line.count, limit: maximumLineBytes) }
        if let cr = line.firstIndex(of: 0x0D) { throw .carriageReturn(offset: cr - line.startIndex) }
        if let nul = line.firstIndex(of: 0) { throw .nulByte(offset: nul - line.startIndex) }
        guard let text = String(validating: line, as: UTF8.self) else { throw .invalidUTF8 }
        let bytes = Array(text.utf8)

        let space = UInt8(ascii: " ")
        let stampEnd = bytes.firstIndex(of: space) ?? bytes.count
        let stamp = try LogTimestamp.parse(bytes[0..<stampEnd])
        guard stampEnd < bytes.count else { throw .missingType }

        let typeStart = stampEnd + 1
        let typeEnd = bytes[typeStart...].firstIndex(of: space) ?? bytes.count
        guard typeEnd > typeStart else { throw .missingType }
        let typeBytes = bytes[typeStart..<typeEnd]
        guard typeBytes.allSatisfy(isTypeByte) else { throw .badType(found: Excerpt.of(typeBytes)) }

        var detail = ""
        if typeEnd < bytes.count {
            guard typeEnd + 1 < bytes.count else { throw .trailingSpace }
            detail = String(decoding: bytes[(typeEnd + 1)...], as: UTF8.self)
        }
        let type = String(decoding: typeBytes, as: UTF8.self)
        try DetailFields.checkClockKeys(type: type, detail: detail)
        return TimeLogEvent(line: number, deviceUTCms: stamp.utcMilliseconds, zoneOffsetMinutes: stamp.zoneOffsetMinutes,
                            type: type, detail: detail)
    }

    private static func isTypeByte(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x30...0x39).contains(b) || b == UInt8(ascii: "_")
    }
}
