/// FAT's packed DOS date and time fields. They carry no zone (`utcOffsetMinutes` stays nil).
enum FATTimestamp {
    enum Decoded {
        /// The fields are zero: the volume never set this time stamp.
        case unset
        case valid(VolumeTimestamp)
        case invalid(String)
    }

    /// `date`: bits 15–9 years since 1980, 8–5 month, 4–0 day; `time`: bits 15–11 hours, 10–5
    /// minutes, 4–0 two-second units; `hundredths`: the creation time's 10-ms count (0…199),
    /// which also carries the odd second.
    static func decode(date: UInt16, time: UInt16, hundredths: UInt8 = 0) -> Decoded {
        if date == 0 && time == 0 { return .unset }
        let year = 1980 + Int(date >> 9), month = Int(date >> 5 & 0x0F), day = Int(date & 0x1F)
        let hour = Int(time >> 11), minute = Int(time >> 5 & 0x3F), second = Int(time & 0x1F) * 2
        let fine = Int(hundredths)
        guard month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 58, fine <= 199 else {
            return .invalid("date 0x\(hex(date)) time 0x\(hex(time))" + (hundredths == 0 ? "" : " 10-ms \(hundredths)"))
        }
        return .valid(VolumeTimestamp(year: year, month: month, day: day, hour: hour, minute: minute,
                                      second: second + fine / 100, millisecond: fine % 100 * 10))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
