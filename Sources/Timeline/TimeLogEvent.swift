/// One accepted line of a recorder's time log or event log (Docs/simulator.md, section 5.3).
///
/// Guarantees, for an event made by `TimeLog`: `type` is one or more of `A`–`Z`, `0`–`9`, `_`;
/// `detail` holds no CR, LF or NUL; a `GNSS_SYNC` or `TIME_SET` event's clock keys are well formed
/// (see `clockCorrectionMs`). An event built by hand carries no such promise, and the clock
/// model reads a malformed clock key as "not said".
public struct TimeLogEvent: Sendable, Hashable, Codable {
    /// 1-based line number in the log; 0 for an event not read from a file.
    public var line: Int
    /// The device clock at the event, milliseconds since 1970-01-01T00:00:00Z: the printed local
    /// time minus its printed offset. Unadjusted: this is what the device's clock said.
    public var deviceUTCms: Int64
    /// The zone offset printed on the line, minutes east of UTC (+480 for `+08:00`).
    public var zoneOffsetMinutes: Int
    /// `POWER_ON`, `GNSS_SYNC`, `RECORD_START`, ... (any type is kept, known or not).
    public var type: String
    /// Everything after the space that follows the type, verbatim; empty when the line ends at
    /// the type.
    public var detail: String
    /// The detail's `key=value` tokens: the detail split at single spaces, each token that has
    /// an `=` after a key of `A`–`Z`, `a`–`z`, `0`–`9`, `_`, `.`, `-`, split at its first `=`.
    /// A key given twice keeps its first value. Other tokens are only in `detail`.
    public var fields: [String: String]

    /// An event; `fields` is derived from `detail` by the rule documented on `fields`.
    public init(line: Int = 0, deviceUTCms: Int64, zoneOffsetMinutes: Int, type: String, detail: String = "") {
        self.line = line
        self.deviceUTCms = deviceUTCms
        self.zoneOffsetMinutes = zoneOffsetMinutes
        self.type = type
        self.detail = detail
        self.fields = DetailFields.parse(detail).fields
    }

    /// The clock was corrected from GNSS time.
    public static let gnssSync = "GNSS_SYNC"
    /// The clock was set (by a dock, by the user).
    public static let timeSet = "TIME_SET"

    /// Whether this event is a sync point for `ClockModel`: a `GNSS_SYNC` or a `TIME_SET`, after
    /// which the device clock is taken to be right.
    public var isSyncPoint: Bool { type == Self.gnssSync || type == Self.timeSet }

    /// How much the clock was corrected at this event, milliseconds, device time after minus
    /// device time before (negative: the clock had been fast), or nil when the line does not say.
    ///
    /// Accepted forms, and nothing else:
    /// - `GNSS_SYNC ... correction_ms=N ...`: N an optionally signed decimal integer of at most
    ///   12 digits (a span of up to 31 years).
    /// - `TIME_SET ... old=<T> new=<T> ...`: both present, each in the line's own timestamp form
    ///   `YYYY-MM-DDThh:mm:ss.mmm±hh:mm`; the correction is new − old. `TIME_SET` with neither
    ///   key (the example scenario's form) has no known correction.
    /// Any other type gives nil.
    public var clockCorrectionMs: Int64? {
        switch type {
        case Self.gnssSync:
            guard let text = fields["correction_ms"] else { return nil }
            return try? DetailFields.correction(text)
        case Self.timeSet:
            guard let old = fields["old"], let new = fields["new"],
                  let o = try? LogTimestamp.parse(Array(old.utf8)),
                  let n = try? LogTimestamp.parse(Array(new.utf8)) else { return nil }
            return n.utcMilliseconds - o.utcMilliseconds
        default:
            return nil
        }
    }
}
