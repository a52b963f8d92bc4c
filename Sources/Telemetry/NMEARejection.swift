/// A sentence (or a line that should have been one) that the parser refused, with where it was
/// and why.
public struct NMEARejection: Hashable, Sendable, CustomStringConvertible {
    /// Why a line or sentence was refused. Each refusal has exactly one reason; the checks run
    /// in the order listed, so a truncated sentence whose remains also fail the checksum
    /// counts as truncated.
    public enum Reason: String, CaseIterable, Hashable, Comparable, Sendable, Codable {
        /// Not a sentence at all: a line that does not begin with "$" (or "#"), bytes outside
        /// printable ASCII, or an address field that is not a talker and a sentence type.
        case garbage
        /// The sentence ends before its checksum: the last line of the input without a line
        /// end and without "*hh", a sentence cut off by the next "$" on the same line, or a
        /// "*" followed by fewer than two hexadecimal digits.
        case truncated
        /// "*hh" does not match the XOR of the bytes between "$" and "*", or is not two
        /// hexadecimal digits.
        case badChecksum
        /// No "*hh" on a complete line, while the parser requires checksums.
        case missingChecksum
        /// A standard sentence of a type this parser does not decode (GNS, GST, GRS, ...). Its
        /// checksum was good: this is a limit of the parser, not damage to the log.
        case unknownType
        /// A sentence with a good checksum and a known type whose fields are not of the form
        /// the type requires (see `NMEAFieldError`).
        case malformedField

        public static func < (a: Self, b: Self) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// 1-based line number in the input (CR, LF and CR LF each end one line).
    public var line: Int
    public var reason: Reason
    /// What exactly was wrong, for a person reading the ingest report.
    public var detail: String

    public init(line: Int, reason: Reason, detail: String) {
        self.line = line
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "line \(line): \(reason.rawValue): \(detail)" }
}
