/// Small text helpers shared by the plain-text report, the findings and the picture.
enum TextLayout {
    /// `ms` as a duration a person reads at a glance: `42 s`, `5 min 12 s`, `1 h 42 min`,
    /// `3 d 4 h`; below a second, `350 ms`.
    static func duration(_ ms: Int64) -> String {
        let negative = ms < 0
        let m = ms.magnitude
        let text: String
        if m < 1000 {
            text = "\(m) ms"
        } else {
            // Nearest second: a corrected 19 min 59.99 s reads as the 20 minutes it is.
            let s = m / 1000 + (m % 1000 >= 500 ? 1 : 0)
            if s < 60 { text = "\(s) s" }
            else if s < 3600 { text = s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
            else if s < 86_400 { text = s / 60 % 60 == 0 ? "\(s / 3600) h" : "\(s / 3600) h \(s / 60 % 60) min" }
            else { text = s / 3600 % 24 == 0 ? "\(s / 86_400) d" : "\(s / 86_400) d \(s / 3600 % 24) h" }
        }
        return negative ? "-" + text : text
    }

    /// The wall-clock time of `ms` in the zone, `HH:mm:ss` rounded to the nearest second,
    /// prefixed with the date `MM-dd ` when it is not on the local day `mainDay` (`yyyy-MM-dd`),
    /// or with the whole date `yyyy-MM-dd ` when `fullDate`.
    static func clock(_ ms: Int64, zone: Int, mainDay: String? = nil, fullDate: Bool = false) -> String {
        let (q, r) = ms.quotientAndRemainder(dividingBy: 1000)   // r takes the sign of ms
        var seconds = r < 0 ? q - 1 : q
        if (r < 0 ? r + 1000 : r) >= 500 { seconds += 1 }
        let (rounded, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        let t = overflow ? ms : rounded
        let clock = CivilTime.localClock(milliseconds: t, zoneOffsetMinutes: zone, seconds: true)
        let day = CivilTime.localDay(milliseconds: t, zoneOffsetMinutes: zone)
        if fullDate { return day + " " + clock }
        return mainDay == nil || day == mainDay ? clock : String(day.dropFirst(5)) + " " + clock
    }

    /// `+2.600 s` style: a signed value with fixed decimals and a unit.
    static func signed(_ x: Double, _ decimals: Int, _ unit: String) -> String {
        let t = Fixed.text(x, decimals)
        return (t.hasPrefix("-") ? t : "+" + t) + " " + unit
    }

    /// At most `limit` ids, then `…`: `3, 7, 9`.
    static func ids(_ ids: [UInt32], limit: Int = 10) -> String {
        let shown = ids.prefix(limit).map(String.init).joined(separator: ", ")
        return ids.count > limit ? shown + ", … (\(ids.count) in all)" : shown
    }

    /// Untrusted text made safe for one line of a plain-text file or terminal: control
    /// characters (which could end the line or move a terminal's cursor) become U+FFFD.
    static func oneLine(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let c = scalar.properties.generalCategory
            out.append(c == .control || c == .lineSeparator || c == .paragraphSeparator || c == .format && scalar.value >= 0x202A && scalar.value <= 0x2069 ? "\u{FFFD}" : scalar)
        }
        return String(out)
    }

    /// Columns a terminal gives `s` in a monospaced font: 2 for East Asian wide and full-width
    /// characters (汉字, full-width forms), 0 for combining marks, 1 otherwise. An approximation
    /// of Unicode's East Asian Width that covers what officer names and unit names hold.
    static func width(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { sum, u in
            if u.properties.generalCategory == .nonspacingMark || u.properties.generalCategory == .enclosingMark { return sum }
            switch u.value {
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                 0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
                return sum + 2
            default:
                return sum + 1
            }
        }
    }

    /// `s` padded with spaces on the right to `columns` display columns.
    static func pad(_ s: String, _ columns: Int) -> String {
        s + String(repeating: " ", count: max(0, columns - width(s)))
    }

    /// `s` padded with spaces on the left to `columns` display columns.
    static func padLeft(_ s: String, _ columns: Int) -> String {
        String(repeating: " ", count: max(0, columns - width(s))) + s
    }
}
