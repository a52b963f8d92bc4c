/// What a capture of a vendor exchange writes in place of the password: which bytes of a
/// transfer are the password, and the transfer's bytes as hex and text with `<password>` there.
///
/// Two rules, both applied to every transfer, in either direction:
/// - **where the family puts it**: the span the family's `passwordSpan(inSent:)` names in what
///   the host sent (amba-ctrl's login packet after `a1 12 00 12`, padding included;
///   amba-ascii's `@Gdv`/`@ATH` argument), whatever those bytes are;
/// - **wherever it turns up**: every run of the password's own bytes at least four long (or
///   the whole password, when it is shorter), also in what the device sent back: a hostile
///   device may echo it, whole or in part (`AmbaASCIIPassword.isEchoed` uses the same four).
///
/// Guarantees: no run of four or more consecutive bytes of the password survives in `hex(_:)` or
/// `text(_:)`; the marked bytes are written as one `<password>` per run, so neither their
/// values nor, for a family's span, the password's length can be read back. Pure.
public struct PasswordRedaction: Sendable {
    /// What stands for the password in a capture, as in the custody record's steps.
    public static let marker = "<password>"
    private let password: [UInt8]

    /// Redacts `secret` (nil: no password is known, only the family's spans are marked).
    public init(_ secret: UnlockSecret?) {
        password = Array((secret?.reveal() ?? "").utf8)
    }

    /// Which bytes of `data` are to be written as `<password>`: those in `span` (clamped to the
    /// data) and every run of the password's bytes (above).
    public func mask(_ data: [UInt8], span: Range<Int>? = nil) -> [Bool] {
        var marked = [Bool](repeating: false, count: data.count)
        if let span {
            // Both ends clamped: a family's span past the data's end marks nothing, never traps.
            let lower = min(max(0, span.lowerBound), data.count)
            for i in lower..<max(lower, min(data.count, span.upperBound)) { marked[i] = true }
        }
        guard !password.isEmpty else { return marked }
        let shortest = min(4, password.count)
        // Short transfers (commands, replies, wrappers): the longest run of the password that
        // starts at each position, by direct comparison.
        for i in data.indices {
            var longest = 0
            for start in password.indices {
                var n = 0
                while i + n < data.count, start + n < password.count, data[i + n] == password[start + n] { n += 1 }
                longest = max(longest, n)
            }
            if longest >= shortest { for j in i..<(i + longest) { marked[j] = true } }
        }
        return marked
    }

    /// The bytes as lowercase hex pairs separated by spaces, each run of marked bytes one
    /// `<password>`.
    public static func hex(_ data: [UInt8], _ marked: [Bool]) -> String {
        pieces(data, marked) { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: " ")
    }

    /// The bytes as text, each run of marked bytes `<password>`; nil unless every byte not
    /// marked is printable ASCII (0x20…0x7E): a reply padded with NULs or binary is read in hex.
    public static func text(_ data: [UInt8], _ marked: [Bool]) -> String? {
        guard !data.isEmpty, zip(data, marked).allSatisfy({ $1 || (0x20...0x7E).contains($0) }) else { return nil }
        return pieces(data, marked) { String(UnicodeScalar($0)) }.joined()
    }

    private static func pieces(_ data: [UInt8], _ marked: [Bool], _ show: (UInt8) -> String) -> [String] {
        var out: [String] = []
        for i in data.indices {
            if marked[i] {
                if i == 0 || !marked[i - 1] { out.append(marker) }
            } else {
                out.append(show(data[i]))
            }
        }
        return out
    }
}
