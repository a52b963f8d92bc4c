/// The two-character talker identifier at the start of a standard sentence's address field:
/// which system produced it ("GP" GPS, "GL" GLONASS, "GA" Galileo, "BD" or "GB" BeiDou, "QZ"
/// QZSS, "GN" a combined solution, ...).
///
/// An open set: any upper-case letter followed by an upper-case letter or a digit is accepted,
/// so a receiver's new constellation is kept rather than refused. Proprietary sentences ("$P...")
/// have no talker and are not represented by this type.
public struct NMEATalker: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The two characters, e.g. "GN".
    public let rawValue: String

    /// Nil unless `rawValue` is an upper-case letter followed by an upper-case letter or digit.
    public init?(rawValue: String) {
        let u = Array(rawValue.utf8)
        guard u.count == 2, isUpper(u[0]), isUpper(u[1]) || isDigit(u[1]) else { return nil }
        self.rawValue = rawValue
    }

    public static let gps = NMEATalker(trusted: "GP")
    public static let glonass = NMEATalker(trusted: "GL")
    public static let galileo = NMEATalker(trusted: "GA")
    public static let beidou = NMEATalker(trusted: "BD")
    /// BeiDou as some receivers (SiRF-TriG, several Chinese modules) spell it.
    public static let beidouGB = NMEATalker(trusted: "GB")
    public static let qzss = NMEATalker(trusted: "QZ")
    /// A solution combining several systems.
    public static let combined = NMEATalker(trusted: "GN")

    private init(trusted: String) { rawValue = trusted }

    public static func < (a: NMEATalker, b: NMEATalker) -> Bool { a.rawValue < b.rawValue }

    public var description: String { rawValue }
}

@inline(__always) func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
