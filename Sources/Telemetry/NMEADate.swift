import Calendrical
/// A calendar date (proleptic Gregorian, UTC) as RMC and ZDA carry it.
///
/// Guarantees: the day exists in its month (29 February only in leap years).
public struct NMEADate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless the date exists; years 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilCalendar.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The four-digit year of RMC's two-digit "yy": 80...99 are 1980...1999, 00...79 are
    /// 2000...2079.
    ///
    /// Why: GPS time begins on 1980-01-06, so no receiver can mean 1900-1979; and a receiver
    /// without a fix reports its clock's reset value, which for MediaTek chips is 1980 (the
    /// mtk-3301 capture sends "050180"), so 80 must stay 1980 rather than become 2080. The window
    /// serves until the end of 2079.
    ///
    /// GPSBabel differs: its NMEA reader puts every two-digit year in 20yy, so "99" is 2099 to it
    /// and 1999 here. The capture tests assert the difference (`GPSBabelDifferenceTests`).
    public static func year(twoDigit yy: Int) -> Int { yy >= 80 ? 1900 + yy : 2000 + yy }

    /// Days since 1970-01-01 (negative before it).
    public var daysSince1970: Int { Int(CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day))) }

    public static func < (a: Self, b: Self) -> Bool { a.daysSince1970 < b.daysSince1970 }

    /// "2014-05-26"
    public var description: String { pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) }
}
