import Foundation

/// `forward-rate-limit`: the most bytes a second forwarding sends, all uploads together
/// (Docs/configuration.md). Pure.
public enum ForwardRate {
    /// The least cap accepted, 64 KiB/s: below it the uploads sharing it would each wait long
    /// enough between sends to look idle to the store (and to the idle timeout).
    public static let minimum: Int64 = 64 << 10
    /// The most, 100 Gbit/s: anything above is no cap on any kiosk's link.
    public static let maximum: Int64 = 12_500_000_000

    /// The units a rate may be written in, with their bytes a second: bytes in powers of 1000
    /// (`B/s`, `KB/s`, `MB/s`, `GB/s`) or of 1024 (`KiB/s`, `MiB/s`, `GiB/s`), and bits in
    /// powers of 1000 as links are sold (`bit/s`, `kbit/s`, `Mbit/s`, `Gbit/s`).
    public static let units: [(suffix: String, bytesPerUnit: Double)] = [
        ("KiB/s", 1024), ("MiB/s", 1_048_576), ("GiB/s", 1_073_741_824),
        ("KB/s", 1000), ("MB/s", 1_000_000), ("GB/s", 1_000_000_000), ("B/s", 1),
        ("kbit/s", 125), ("Mbit/s", 125_000), ("Gbit/s", 125_000_000), ("bit/s", 0.125),
    ]

    /// What is wrong with a rate, for the configuration error.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notARate
        case outOfRange(Int64)

        public var description: String {
            switch self {
            case .notARate:
                "must be a rate like 2MiB/s or 16Mbit/s (a number and one of B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s, bit/s, kbit/s, Mbit/s, Gbit/s), or none"
            case .outOfRange(let bytes):
                "is \(ForwardRate.text(bytes)), outside \(ForwardRate.text(ForwardRate.minimum))...\(ForwardRate.text(ForwardRate.maximum))"
            }
        }
    }

    /// "2MiB/s" → 2097152, "16Mbit/s" → 2000000, "none" → nil. A number is digits with at most
    /// three decimals, then the unit (a space between is allowed, nothing else); the bytes a
    /// second are rounded down to a whole number and must lie within `minimum...maximum`.
    public static func parse(_ text: String) throws(Problem) -> Int64? {
        if text == "none" { return nil }
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }) else { throw .notARate }
        let number = text.dropLast(unit.suffix.count).trimmingCharacters(in: [" "])
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 12, whole.allSatisfy(\.isASCIIDigit),
              parts.count == 1 || (1...3).contains(parts[1].count) && parts[1].allSatisfy(\.isASCIIDigit),
              let value = Double(number) else { throw .notARate }
        let bytes = value * unit.bytesPerUnit
        guard bytes < Double(Int64.max) else { throw .outOfRange(.max) }
        let rate = Int64(bytes.rounded(.down))
        guard (minimum...maximum).contains(rate) else { throw .outOfRange(rate) }
        return rate
    }

    /// A rate for people: `2 MiB/s (16.8 Mbit/s)`.
    public static func text(_ bytesPerSecond: Int64) -> String {
        let b = Double(bytesPerSecond), kib = 1024.0, mib = kib * 1024, gib = mib * 1024
        let bytes = b >= gib ? "\(decimal(b / gib)) GiB/s" : b >= mib ? "\(decimal(b / mib)) MiB/s"
            : b >= kib ? "\(decimal(b / kib)) KiB/s" : "\(bytesPerSecond) B/s"
        let bits = b * 8
        let line = bits >= 1e9 ? "\(decimal(bits / 1e9)) Gbit/s" : bits >= 1e6 ? "\(decimal(bits / 1e6)) Mbit/s" : "\(decimal(bits / 1e3)) kbit/s"
        return "\(bytes) (\(line))"
    }

    /// One decimal, none when it is .0.
    private static func decimal(_ x: Double) -> String {
        let tenths = (x * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10))" : "\(tenths / 10)"
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
