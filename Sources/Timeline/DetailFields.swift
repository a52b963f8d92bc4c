/// The `key=value` reading of a log line's detail, and the checks on the keys the clock model
/// relies on.
enum DetailFields {
    /// Tokens split at single spaces; a token with a key of `A`–`Z`, `a`–`z`, `0`–`9`, `_`, `.`,
    /// `-` before its first `=` is a field. `repeated` lists keys seen more than once (the first
    /// value is kept), so the parser can refuse ambiguity where it matters.
    static func parse(_ detail: String) -> (fields: [String: String], repeated: Set<String>) {
        var fields: [String: String] = [:]
        var repeated: Set<String> = []
        for token in detail.split(separator: " ", omittingEmptySubsequences: true) {
            guard let eq = token.firstIndex(of: "=") else { continue }
            let key = token[..<eq]
            guard !key.isEmpty, key.unicodeScalars.allSatisfy(isKeyScalar) else { continue }
            let k = String(key)
            if fields[k] != nil { repeated.insert(k); continue }
            fields[k] = String(token[token.index(after: eq)...])
        }
        return (fields, repeated)
    }

    /// A `correction_ms` value: an optionally signed decimal integer of 1…12 digits.
    static func correction(_ text: String) throws(TimeLogLineError) -> Int64 {
        var digits = Substring(text)
        var sign: Int64 = 1
        if let first = digits.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        guard (1...12).contains(digits.utf8.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let v = Int64(digits) else {
            throw .badDetail(key: "correction_ms", reason: "is \"\(Excerpt.of(Array(text.utf8)))\", not an integer of at most 12 digits")
        }
        return sign * v
    }

    /// Checks the clock keys of a `GNSS_SYNC` or `TIME_SET` detail (see
    /// `TimeLogEvent.clockCorrectionMs` for what is accepted); other types pass unchecked.
    static func checkClockKeys(type: String, detail: String) throws(TimeLogLineError) {
        let (fields, repeated) = parse(detail)
        switch type {
        case TimeLogEvent.gnssSync:
            if repeated.contains("correction_ms") { throw .badDetail(key: "correction_ms", reason: "appears more than once") }
            if let text = fields["correction_ms"] { _ = try correction(text) }
        case TimeLogEvent.timeSet:
            for key in ["old", "new"] {
                if repeated.contains(key) { throw .badDetail(key: key, reason: "appears more than once") }
                if let text = fields[key] {
                    do throws(TimeLogLineError) {
                        _ = try LogTimestamp.parse(Array(text.utf8))
                    } catch {
                        throw .badDetail(key: key, reason: "is not a timestamp YYYY-MM-DDThh:mm:ss.mmm±hh:mm (\(error))")
                    }
                }
            }
            if (fields["old"] == nil) != (fields["new"] == nil) {
                throw .badDetail(key: fields["old"] == nil ? "old" : "new", reason: "is missing: TIME_SET takes old= and new= together or neither")
            }
        default:
            break
        }
    }

    private static func isKeyScalar(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }
}
