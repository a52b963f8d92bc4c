/// A UTC time of day as NMEA sentences carry it, to the millisecond.
///
/// Guarantees: `millisecondsSinceMidnight` is in 0..<86_400_000. Fractions finer than a
/// millisecond are truncated, never rounded, so a time is never carried into the next second
/// (or day). Leap seconds ("235960") are refused by the parser: nothing downstream can place them.
public struct NMEATimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let millisecondsPerDay = 86_400_000

    public let millisecondsSinceMidnight: Int

    /// Nil unless `millisecondsSinceMidnight` is within one day.
    public init?(millisecondsSinceMidnight: Int) {
        guard (0..<Self.millisecondsPerDay).contains(millisecondsSinceMidnight) else { return nil }
        self.millisecondsSinceMidnight = millisecondsSinceMidnight
    }

    /// Nil unless each part is in range.
    public init?(hour: Int, minute: Int, second: Int, millisecond: Int = 0) {
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second),
              (0..<1000).contains(millisecond) else { return nil }
        millisecondsSinceMidnight = ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
    }

    /// Parses "hhmmss" or "hhmmss.f..." (any number of fraction digits, including none).
    init?(nmea t: Substring) {
        let u = Array(t.utf8)
        guard u.count >= 6, u[0..<6].allSatisfy(isDigit) else { return nil }
        var millisecond = 0
        if u.count > 6 {
            guard u[6] == 0x2E, u[7...].allSatisfy(isDigit) else { return nil }
            var scale = 100
            for digit in u[7...].prefix(3) {
                millisecond += Int(digit - 0x30) * scale
                scale /= 10
            }
        }
        func two(_ k: Int) -> Int { Int(u[k] - 0x30) * 10 + Int(u[k + 1] - 0x30) }
        self.init(hour: two(0), minute: two(2), second: two(4), millisecond: millisecond)
    }

    public var hour: Int { millisecondsSinceMidnight / 3_600_000 }
    public var minute: Int { millisecondsSinceMidnight / 60_000 % 60 }
    public var second: Int { millisecondsSinceMidnight / 1000 % 60 }
    public var millisecond: Int { millisecondsSinceMidnight % 1000 }

    public static func < (a: Self, b: Self) -> Bool { a.millisecondsSinceMidnight < b.millisecondsSinceMidnight }

    /// "08:14:11.000"
    public var description: String {
        pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + "." + pad(millisecond, 3)
    }
}

/// `v` in decimal, zero-padded on the left to `width` digits (a "-" sign is kept in front).
func pad(_ v: some BinaryInteger, _ width: Int) -> String {
    let digits = String(v.magnitude)
    let padded = digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    return v < 0 ? "-" + padded : padded
}
