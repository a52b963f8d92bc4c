/// Percent-encoding the way SigV4 defines it, used both for the canonical request and for the
/// URL actually sent, so that the two can never disagree.
///
/// Foundation's `addingPercentEncoding` is not used: its character sets are not SigV4's (they
/// leave `+`, `=`, `&`, `$` … alone in places), and the signature must match byte for byte.
enum URIEncoding {
    /// `text` as UTF-8 with every byte outside the unreserved set (`A-Z a-z 0-9 - . _ ~`)
    /// written `%XX` in upper-case hex. `/` is encoded too: a query value never keeps it.
    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A path as S3 wants it in the canonical URI and on the wire: each `/`-separated segment
    /// encoded once with `encode`, the slashes kept, a leading `/` added when missing. No
    /// `.`/`..` segment is resolved and no empty segment dropped: S3 keys may contain
    /// `a//b` and `../x`, and the object is named by exactly those bytes.
    static func encodePath(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
        let joined = segments.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }

    /// The canonical query string: names and values encoded with `encode`, sorted by name and
    /// then by value (byte order, which for the ASCII of encoded text is `<`), joined as
    /// `name=value` with `&`. A parameter without a value is written `name=`.
    static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        parameters
            .map { (encode($0.name), encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
