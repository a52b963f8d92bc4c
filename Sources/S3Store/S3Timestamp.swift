import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The two ways S3 writes an instant, formatted and parsed by hand in UTC with `timegm` and
/// `gmtime_r`, so that the text depends on neither locale, time zone nor Foundation version
/// (a signature covers it byte for byte).
public enum S3Timestamp {
    /// SigV4's `X-Amz-Date` form, `20150830T123600Z`: whole seconds, the fraction dropped
    /// (the signature is made "at" the second the request is dated).
    public static func amzDate(_ date: Date) -> String {
        let (y, mo, d, h, mi, s) = fields(Int(date.timeIntervalSince1970.rounded(.down)))
        return pad(y, 4) + pad(mo, 2) + pad(d, 2) + "T" + pad(h, 2) + pad(mi, 2) + pad(s, 2) + "Z"
    }

    /// ISO 8601 in UTC with whole seconds, `2026-11-28T11:11:02Z`: the form of
    /// `x-amz-object-lock-retain-until-date`. A fraction of a second is rounded UP, so a
    /// retention date written with this never ends before the instant asked for.
    public static func iso8601(roundingUp date: Date) -> String {
        let (y, mo, d, h, mi, s) = fields(Int(date.timeIntervalSince1970.rounded(.up)))
        return pad(y, 4) + "-" + pad(mo, 2) + "-" + pad(d, 2) + "T" + pad(h, 2) + ":" + pad(mi, 2)
            + ":" + pad(s, 2) + "Z"
    }

    /// The instant in an ISO 8601 UTC timestamp as S3 servers write them:
    /// `2026-11-28T11:11:02Z`, `2026-11-28T11:11:02.000Z` (AWS),
    /// `2026-11-28T11:11:02.123456Z` or with `+00:00` for `Z`. Nil for anything else,
    /// including other offsets, which no S3 server sends.
    public static func parseISO8601(_ text: String) -> Date? {
        var s = Substring(text)
        if s.hasSuffix("Z") {
            s = s.dropLast()
        } else if s.hasSuffix("+00:00") {
            s = s.dropLast(6)
        } else {
            return nil
        }
        var fraction = 0.0
        if let dot = s.firstIndex(of: ".") {
            let digits = s[s.index(after: dot)...]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Double("0." + digits) else { return nil }
            fraction = value
            s = s[..<dot]
        }
        // yyyy-MM-ddTHH:mm:ss, every separator where it belongs.
        let chars = Array(s.utf8)
        guard chars.count == 19, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              chars[10] == UInt8(ascii: "T"), chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for c in chars[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return nil }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        let seconds = timegm(&t)
        // timegm normalises 31 February into March; a date that moved was not a date.
        guard t.tm_mday == Int32(day), t.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func fields(_ seconds: Int) -> (Int, Int, Int, Int, Int, Int) {
        var time = time_t(seconds)
        var t = tm()
        gmtime_r(&time, &t)
        return (Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday), Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
