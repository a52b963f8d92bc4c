import Calendrical
/// Number and time formatting shared by the track writers: integer arithmetic only, so the
/// text is the same on every host and locale.
enum TrackText {
    /// Decimals for degrees: 1e-9 degree is 0.1 mm, well inside the 1e-7 the writers promise.
    static let degreeDecimals = 9
    /// Decimals for metres, metres per second, degrees of course and HDOP.
    static let valueDecimals = 3

    /// `value` rounded to `decimals` places, trailing zeros (and a bare ".") removed, "-0"
    /// written as "0"; nil for a value that is not finite or too large to round exactly
    /// (beyond 1e15 units of the last place), which the writers then leave out.
    static func decimal(_ value: Double, _ decimals: Int) -> String? {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * Double(scale)).rounded()
        guard scaled.isFinite, abs(scaled) < 1e15 else { return nil }
        let units = Int64(scaled)
        if units == 0 { return "0" }
        let whole = units.magnitude / UInt64(scale)
        var fraction = pad(units.magnitude % UInt64(scale), decimals)
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (units < 0 ? "-" : "") + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// "2026-11-26T00:15:00.000Z": RFC 3339 / ISO 8601 UTC with milliseconds. Years outside
    /// 0000...9999 are written with more digits or a sign rather than refused (xsd:dateTime allows
    /// both); `FixAssembler` never makes them.
    static func utc(_ milliseconds: Int64) -> String {
        let perDay = Int64(NMEATimeOfDay.millisecondsPerDay)
        var days = milliseconds / perDay
        var rest = milliseconds % perDay
        if rest < 0 {
            days -= 1
            rest += perDay
        }
        let (year, month, day) = CivilCalendar.civil(days)
        let t = Int(rest)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(t / 3_600_000, 2) + ":" + pad(t / 60_000 % 60, 2) + ":" + pad(t / 1000 % 60, 2) + "."
            + pad(t % 1000, 3) + "Z"
    }

    /// Whether a writer can put `fix` on a map: finite latitude in -90...90 and longitude in
    /// -180...180. Fixes from `FixAssembler` always are; others are skipped by every writer.
    static func isWritable(_ fix: GPSFix) -> Bool {
        (-90...90).contains(fix.latitude) && (-180...180).contains(fix.longitude)
    }

    /// `s` as a JSON string literal (RFC 8259): quotes, backslash and control characters escaped.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let h = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
