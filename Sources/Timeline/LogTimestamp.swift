/// The one timestamp form of time and event logs: `YYYY-MM-DDThh:mm:ss.mmm±hh:mm`, exactly
/// 29 bytes, as Docs/simulator.md section 5.3 fixes it.
///
/// Strict: milliseconds always three digits; the offset always `±hh:mm`, never `Z`, at most
/// 14:00 either way (no zone is further from UTC), and not `-00:00` (RFC 3339's "offset
/// unknown", which no recorder writes); the date must exist in the proleptic Gregorian
/// calendar; seconds 00…59 (recorder clocks do not show leap seconds). Anything else is a
/// `badTimestamp` naming the part that is wrong.
enum LogTimestamp {
    static let length = 29

    static func parse<C: Collection<UInt8>>(_ text: C) throws(TimeLogLineError) -> (utcMilliseconds: Int64, zoneOffsetMinutes: Int)
    where C.Index == Int {
        let b = Array(text)
        let shape = "dddd-dd-ddTdd:dd:dd.ddd?dd:dd"
        guard b.count == length else { throw .badTimestamp(field: "shape", found: Excerpt.of(b)) }
        for (i, p) in shape.utf8.enumerated() {
            let ok: Bool
            switch p {
            case UInt8(ascii: "d"): ok = (0x30...0x39).contains(b[i])
            case UInt8(ascii: "?"): ok = b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")
            default: ok = b[i] == p
            }
            if !ok { throw .badTimestamp(field: "shape", found: Excerpt.of(b)) }
        }
        func number(_ range: Range<Int>) -> Int64 {
            b[range].reduce(0) { $0 * 10 + Int64($1 - 0x30) }
        }
        func check(_ field: String, _ range: Range<Int>, _ valid: ClosedRange<Int64>) throws(TimeLogLineError) -> Int64 {
            let v = number(range)
            if !valid.contains(v) { throw .badTimestamp(field: field, found: Excerpt.of(b[range])) }
            return v
        }
        let year = number(0..<4)
        let month = try check("month", 5..<7, 1...12)
        let day = try check("day", 8..<10, 1...CivilTime.daysInMonth(year: year, month: month))
        let hour = try check("hour", 11..<13, 0...23)
        let minute = try check("minute", 14..<16, 0...59)
        let second = try check("second", 17..<19, 0...59)
        let millisecond = number(20..<23)
        let offsetHours = number(24..<26), offsetMinutes = number(27..<29)
        let negative = b[23] == UInt8(ascii: "-")
        let offset = offsetHours * 60 + offsetMinutes
        if offsetMinutes > 59 || offset > 14 * 60 || (negative && offset == 0) {
            throw .badTimestamp(field: "offset", found: Excerpt.of(b[23..<29]))
        }
        let zone = Int(negative ? -offset : offset)
        let local = CivilTime.milliseconds(year: year, month: month, day: day, hour: hour, minute: minute,
                                           second: second, millisecond: millisecond)
        return (local - Int64(zone) * 60_000, zone)
    }
}

/// Untrusted text made safe to show in an error message: at most 40 characters, invalid UTF-8
/// and control characters shown as U+FFFD.
enum Excerpt {
    static func of<C: Collection<UInt8>>(_ bytes: C, limit: Int = 40) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        var out = String.UnicodeScalarView()
        for (i, s) in text.unicodeScalars.enumerated() {
            if i == limit { out.append("…"); break }
            out.append(s.properties.generalCategory == .control ? "\u{FFFD}" : s)
        }
        return String(out)
    }
}
