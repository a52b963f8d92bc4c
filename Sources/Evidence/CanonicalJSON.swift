/// The one JSON form the audit log is hashed and written in: no whitespace, object members
/// sorted by the UTF-8 bytes of their keys (which is Unicode code point order), strings with
/// only `"`, `\` and C0 controls escaped (`\b \f \n \r \t`, else `\u00xx` in lower case), `/`
/// and everything else literal, integers in decimal.
///
/// That is RFC 8785 (JCS) for strings and integers, and what Python's
/// `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes, so an
/// auditor can recompute a hash without this code. Written by hand rather than with
/// `JSONEncoder`, whose key order and escaping are not specified and could change under us.
enum CanonicalJSON {
    /// `s` as a JSON string literal, quotes included.
    static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// An object from members whose values are already JSON text, sorted by key.
    static func object(_ members: [(key: String, json: String)]) -> String {
        let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return "{" + sorted.map { string($0.key) + ":" + $0.json }.joined(separator: ",") + "}"
    }

    /// A string-to-string object, sorted by key.
    static func object(_ dictionary: [String: String]) -> String {
        object(dictionary.map { (key: $0.key, json: string($0.value)) })
    }
}
