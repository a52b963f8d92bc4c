/// exFAT time stamps (§7.4.8–7.4.10): a DOS-style date and time in local time, a 10 ms
/// increment and an offset from UTC.
enum ExFATTimestamp {
    /// Decodes a time stamp; nil when it is zero (never set) or names no real date and time.
    ///
    /// - Parameters:
    ///   - raw: seconds/2 in bits 0–4, minute 5–10, hour 11–15, day 16–20, month 21–24,
    ///     year since 1980 in 25–31.
    ///   - increment: tens of milliseconds to add, 0…199; a larger value is ignored.
    ///   - utcOffset: bit 7 says the offset is valid; bits 0–6 are a signed count of 15 minutes.
    static func decode(_ raw: UInt32, increment: UInt8, utcOffset: UInt8) -> VolumeTimestamp? {
        guard raw != 0 else { return nil }
        let doubleSeconds = Int(raw & 0x1F), minute = Int(raw >> 5 & 0x3F), hour = Int(raw >> 11 & 0x1F)
        let day = Int(raw >> 16 & 0x1F), month = Int(raw >> 21 & 0x0F), year = 1980 + Int(raw >> 25)
        guard doubleSeconds <= 29, minute <= 59, hour <= 23, (1...12).contains(month),
              (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        let tens = increment <= 199 ? Int(increment) : 0
        return VolumeTimestamp(year: year, month: month, day: day, hour: hour, minute: minute,
                               second: doubleSeconds * 2 + tens / 100, millisecond: tens % 100 * 10,
                               utcOffsetMinutes: offsetMinutes(utcOffset))
    }

    /// Minutes east of UTC, or nil when the OffsetValid bit is clear.
    static func offsetMinutes(_ field: UInt8) -> Int? {
        guard field & 0x80 != 0 else { return nil }
        let units = Int(field & 0x7F)
        return (units >= 64 ? units - 128 : units) * 15
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
