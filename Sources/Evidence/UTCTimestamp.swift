import Foundation
import Calendrical

/// The evidence formats' one way of writing an instant: ISO 8601 in UTC with milliseconds,
/// `2026-11-26T08:15:02.123Z`, and a day as `2026-11-26`.
///
/// Written by hand from the civil-calendar arithmetic rather than with a `DateFormatter`, so the
/// text does not depend on the locale, the process time zone or the Foundation version: these
/// strings end up inside signed documents and hash-chained logs, where one changed byte breaks
/// a signature.
///
/// Guarantees: the same instant always gives the same text; every Int64 millisecond count
/// formats without trapping. Years 0000…9999 have four digits; outside that range (only a
/// badly wrong device clock gets there) the year is written with its sign, `+292278994` or
/// `-0001`, as ISO 8601's expanded form does.
public enum UTCTimestamp {
    /// `date` as `yyyy-MM-ddTHH:mm:ss.SSSZ`, rounded to the nearest millisecond.
    public static func string(_ date: Date) -> String {
        string(milliseconds: milliseconds(date))
    }

    /// Milliseconds since 1970-01-01T00:00:00Z (a device clock reading) as
    /// `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    public static func string(milliseconds: Int64) -> String {
        let (days, msOfDay) = split(milliseconds)
        let (y, m, d) = CivilCalendar.civil(days)
        let seconds = msOfDay / 1000
        return "\(year(y))-\(pad(m, 2))-\(pad(d, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2))"
            + ":\(pad(seconds % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    /// The UTC day of `date` as `yyyy-MM-dd` (BagIt's Bagging-Date form).
    public static func day(_ date: Date) -> String {
        let (days, _) = split(milliseconds(date))
        let (y, m, d) = CivilCalendar.civil(days)
        return "\(year(y))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// `date` as whole milliseconds since 1970, rounded to the nearest and clamped to Int64.
    ///
    /// Rounded, not truncated: a `Date` built from a millisecond count does not always hold it
    /// exactly (it counts seconds from 2001 in a Double), and truncating would then lose one.
    public static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        if ms.isNaN { return 0 }
        if ms >= 9.2e18 { return Int64.max }
        if ms <= -9.2e18 { return Int64.min }
        return Int64(ms)
    }

    private static func split(_ ms: Int64) -> (days: Int64, msOfDay: Int64) {
        let perDay: Int64 = 86_400_000
        var days = ms / perDay
        var rest = ms % perDay
        if rest < 0 { days -= 1; rest += perDay }
        return (days, rest)
    }

    /// Reads back what `string` writes for years 0000…9999 (`yyyy-MM-ddTHH:mm:ss.SSSZ`, the
    /// milliseconds optional); nil for anything else. No Foundation formatter: the forward
    /// queue reads these on every pass, and an ISO8601DateFormatter costs an ICU set-up.
    public static func date(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 20 || b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
              b[b.count - 1] == 0x5A else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        var ms: Int64 = 0
        if b.count == 24 {
            guard b[19] == 0x2E, let fraction = number(20..<23) else { return nil }
            ms = fraction
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), let hh = number(11..<13),
              let mm = number(14..<16), let ss = number(17..<19),
              (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60, ss < 60 else { return nil }
        let days = CivilCalendar.days(year: y, month: m, day: d)
        guard CivilCalendar.civil(days) == (y, m, d) else { return nil }   // 2026-02-30 and the like
        let total = ((days * 24 + hh) * 60 + mm) * 60 + ss
        return Date(timeIntervalSince1970: Double(total * 1000 + ms) / 1000)
    }

    /// The milliseconds `text` stands for, when it is exactly what `string(milliseconds:)`
    /// writes, expanded years (`+292278994-…`, `-0001-…`) included, or the four-digit form
    /// without milliseconds (`2026-11-27T13:05:00Z`); nil for anything else.
    ///
    /// The exact inverse of `string(milliseconds:)` over every Int64, in integers only: a device
    /// time read back from a custody record is the device's, to the millisecond, however far off
    /// its clock was (`date(_:)` reads years 0000…9999 only, through a Double).
    public static func milliseconds(parsing text: String) -> Int64? {
        let b = Array(text.utf8)
        var start = 0
        var sign: Int64 = 1
        if let first = b.first, first == 0x2B || first == 0x2D {   // "+" or "-": an expanded year
            sign = first == 0x2D ? -1 : 1
            start = 1
        }
        let expanded = start == 1
        // The year runs to the first "-": four digits, or four to nine expanded (Int64
        // milliseconds reach years ±292 million).
        guard let dash = b[start...].firstIndex(of: 0x2D), (expanded ? 4...9 : 4...4).contains(dash - start) else { return nil }
        let tail = Array(b[dash...])   // "-MM-DDTHH:MM:SS.mmmZ", or "-MM-DDTHH:MM:SSZ" for four digits
        guard tail.count == 20 || (tail.count == 16 && !expanded), tail[3] == 0x2D, tail[6] == 0x54, tail[9] == 0x3A,
              tail[12] == 0x3A, tail[tail.count - 1] == 0x5A, tail.count == 16 || tail[15] == 0x2E else { return nil }
        func number(_ bytes: ArraySlice<UInt8>) -> Int64? {
            var v: Int64 = 0
            for c in bytes {
                guard (0x30...0x39).contains(c) else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            return v
        }
        guard let y = number(b[start..<dash]), let m = number(tail[1..<3]), let d = number(tail[4..<6]),
              let hh = number(tail[7..<9]), let mm = number(tail[10..<12]), let ss = number(tail[13..<15]),
              let ms = tail.count == 20 ? number(tail[16..<19]) : 0,
              (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60, ss < 60 else { return nil }
        let year = sign * y
        let days = CivilCalendar.days(year: year, month: m, day: d)
        guard CivilCalendar.civil(days) == (year, m, d) else { return nil }   // 30 February and the like
        let msOfDay = ((hh * 60 + mm) * 60 + ss) * 1000 + ms
        // Before 1970 from the end of the day backwards: the first day of Int64.min starts
        // before Int64.min, though its last milliseconds are in range.
        let (dayMs, overflow) = (days < 0 ? days + 1 : days).multipliedReportingOverflow(by: 86_400_000)
        let (total, beyond) = days < 0 ? dayMs.subtractingReportingOverflow(86_400_000 - msOfDay)
                                       : dayMs.addingReportingOverflow(msOfDay)
        guard !overflow, !beyond else { return nil }
        // Only the text `string` writes for that instant: no "-0000", no "+2026", no "10000"
        // without its "+"; the four-digit form may leave the milliseconds out.
        let written = string(milliseconds: total)
        guard written == text || (tail.count == 16 && written == String(text.dropLast()) + ".000Z") else { return nil }
        return total
    }

    private static func year(_ y: Int64) -> String {
        if (0...9999).contains(y) { return pad(y, 4) }
        return y < 0 ? "-" + pad(-y, 4) : "+" + String(y)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
