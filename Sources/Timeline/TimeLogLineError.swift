/// Why one line of a time or event log was not accepted. Each case names what was wrong; the
/// line number travels beside it in `TimeLog.RejectedLine`.
public enum TimeLogLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An empty line (two LFs in a row, or a trailing blank line).
    case empty
    /// The line is longer than `TimeLog.maximumLineBytes`: no recorder writes such lines, and
    /// keeping them would let a hostile log fill memory.
    case tooLong(bytes: Int, limit: Int)
    /// The last line has no LF. A recorder that lost power mid-write leaves such a line, and its
    /// last value may be cut short (`correction_ms=-11` of `-1180`), so it is not trusted.
    case unterminated
    /// A CR at this 0-based byte offset: the format ends lines with LF only, and a CR inside a
    /// line would hide text from a reader's terminal.
    case carriageReturn(offset: Int)
    /// A NUL byte at this 0-based byte offset.
    case nulByte(offset: Int)
    /// The bytes are not valid UTF-8.
    case invalidUTF8
    /// The timestamp is not `YYYY-MM-DDThh:mm:ss.mmm±hh:mm`; `field` is the part that is wrong
    /// (`shape`, `month`, `day`, `hour`, `minute`, `second`, `offset`) and `found` what the
    /// line had there (at most 40 characters).
    case badTimestamp(field: String, found: String)
    /// Nothing after the timestamp, or no type between two spaces.
    case missingType
    /// The type has a character other than `A`–`Z`, `0`–`9`, `_`; `found` is the type as written
    /// (at most 40 characters).
    case badType(found: String)
    /// A space after the type with nothing following it: an empty detail is written by ending
    /// the line at the type.
    case trailingSpace
    /// A clock key of a `GNSS_SYNC` or `TIME_SET` line is malformed, repeated or missing its
    /// partner; `key` names it.
    case badDetail(key: String, reason: String)

    /// What was wrong, for a person: `timestamp month is wrong: found "13"`.
    public var description: String {
        switch self {
        case .empty: "empty line"
        case .tooLong(let bytes, let limit): "line is \(bytes) bytes, over the limit of \(limit)"
        case .unterminated: "last line has no LF (possibly cut off mid-write)"
        case .carriageReturn(let offset): "CR at byte \(offset) (lines end with LF only)"
        case .nulByte(let offset): "NUL byte at byte \(offset)"
        case .invalidUTF8: "not valid UTF-8"
        case .badTimestamp(let field, let found): "timestamp \(field) is wrong: found \"\(found)\""
        case .missingType: "no event type after the timestamp"
        case .badType(let found): "event type \"\(found)\" has characters other than A-Z, 0-9, _"
        case .trailingSpace: "space after the event type with no detail"
        case .badDetail(let key, let reason): "detail key \(key) \(reason)"
        }
    }

    /// A stable short code for machine consumers, e.g. `bad-timestamp`.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .tooLong: "too-long"
        case .unterminated: "unterminated"
        case .carriageReturn: "carriage-return"
        case .nulByte: "nul-byte"
        case .invalidUTF8: "invalid-utf8"
        case .badTimestamp: "bad-timestamp"
        case .missingType: "missing-type"
        case .badType: "bad-type"
        case .trailingSpace: "trailing-space"
        case .badDetail: "bad-detail"
        }
    }
}
