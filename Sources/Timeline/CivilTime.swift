import Calendrical
/// Calendar arithmetic and the module's fixed text forms of an instant.
///
/// Written by hand rather than with `DateFormatter` or `ISO8601DateFormatter`, so the text does
/// not depend on the locale, the process time zone or the Foundation version: the report and
/// the timeline picture must come out byte for byte the same wherever they are made.
/// Every Int64 millisecond count formats without trapping.
public enum CivilTime {
    static let msPerDay: Int64 = 86_400_000

    /// `ms` (milliseconds since 1970-01-01T00:00:00Z) as `yyyy-MM-ddTHH:mm:ss.SSSZ`, the
    /// gateway's UTC form.
    public static func utcString(milliseconds ms: Int64) -> String {
        let (date, time) = parts(ms, zoneOffsetMinutes: 0)
        return date + "T" + time + "Z"
    }

    /// `ms` shown in a zone `zoneOffsetMinutes` east of UTC, as the time logs write it:
    /// `yyyy-MM-ddTHH:mm:ss.SSS±hh:mm` (`+00:00` for UTC, never `Z`).
    public static func localString(milliseconds ms: Int64, zoneOffsetMinutes: Int) -> String {
        let (date, time) = parts(ms, zoneOffsetMinutes: zoneOffsetMinutes)
        return date + "T" + time + zoneSuffix(zoneOffsetMinutes)
    }

    /// `+08:00`, `-05:30`, `+00:00`.
    public static func zoneSuffix(_ minutes: Int) -> String {
        let m = abs(Int64(clampZone(minutes)))
        return (minutes < 0 ? "-" : "+") + pad(m / 60, 2) + ":" + pad(m % 60, 2)
    }

    /// The local day of `ms` as `yyyy-MM-dd`.
    public static func localDay(milliseconds ms: Int64, zoneOffsetMinutes: Int) -> String {
        parts(ms, zoneOffsetMinutes: zoneOffsetMinutes).date
    }

    /// The local wall-clock time of `ms` as `HH:mm`, or `HH:mm:ss` with `seconds`.
    public static func localClock(milliseconds ms: Int64, zoneOffsetMinutes: Int, seconds: Bool = false) -> String {
        let time = parts(ms, zoneOffsetMinutes: zoneOffsetMinutes).time
        return String(time.prefix(seconds ? 8 : 5))
    }

    /// Milliseconds since 1970 of the gateway's UTC form `yyyy-MM-ddTHH:mm:ss.SSSZ` (years
    /// 0000…9999, a real date), or nil for anything else.
    public static func parseUTC(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count == 24, b[23] == UInt8(ascii: "Z") else { return nil }
        // The log form with a +00:00 offset is the same instant and has the same checks.
        return try? LogTimestamp.parse(b[0..<23] + Array("+00:00".utf8)).utcMilliseconds
    }

    /// Milliseconds since 1970 of a proleptic Gregorian date and time in UTC. The caller has
    /// checked the ranges (the parser does), so no overflow is possible for years 0…9999.
    static func milliseconds(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64,
                             second: Int64, millisecond: Int64) -> Int64 {
        let days = CivilCalendar.days(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        Int64(CivilCalendar.daysIn(month: Int(month), year: Int(year)))
    }

    /// (date, time with milliseconds) of `ms` shifted into the zone; saturates instead of
    /// overflowing at the ends of Int64.
    static func parts(_ ms: Int64, zoneOffsetMinutes: Int) -> (date: String, time: String) {
        let (local, overflow) = ms.addingReportingOverflow(Int64(clampZone(zoneOffsetMinutes)) * 60_000)
        let shifted = overflow ? (ms < 0 ? Int64.min : Int64.max) : local
        var days = shifted / msPerDay
        var rest = shifted % msPerDay
        if rest < 0 { days -= 1; rest += msPerDay }
        let (y, m, d) = CivilCalendar.civil(days)
        let s = rest / 1000
        let date = year(y) + "-" + pad(m, 2) + "-" + pad(d, 2)
        let time = pad(s / 3600, 2) + ":" + pad(s / 60 % 60, 2) + ":" + pad(s % 60, 2) + "." + pad(rest % 1000, 3)
        return (date, time)
    }

    /// Zone offsets beyond ±24 h are nonsense from a device; clamp so arithmetic stays safe.
    static func clampZone(_ minutes: Int) -> Int { min(max(minutes, -1440), 1440) }

    private static func year(_ y: Int64) -> String {
        if (0...9999).contains(y) { return pad(y, 4) }
        return y < 0 ? "-" + pad(-y, 4) : "+" + String(y)
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
