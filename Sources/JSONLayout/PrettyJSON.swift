import Foundation

/// The layout `JSONEncoder` gives with `[.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]`,
/// built from parts encoded one at a time.
///
/// Why: JSONEncoder builds a tree of the whole value before it writes a byte, and for a record
/// or report with 50,000 entries that tree took several times the bytes it wrote. Encoding the
/// value with its one large array left empty, then the array's elements one at a time, and
/// splicing them keeps only one element's tree alive at a time. The splice is byte for byte what the encoder writes for the whole value (the
/// custody record's and the integrity report's tests compare the two): pretty-printing indents
/// by two spaces per level, every raw newline is a line break of the layout (a newline in a
/// string is escaped), and an empty array or object is written as its bracket, an empty line
/// and the closing bracket.
public enum PrettyJSON {
    /// `value` as `JSONEncoder` writes it at the top level (sorted, pretty, `/` unescaped), no
    /// final newline.
    ///
    /// - Throws: `EncodingError` for a value JSON cannot hold (a NaN or infinite Double).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Writes `outline` to `sink` with the empty array of its top-level member `key` replaced
    /// by `count` elements, element `i` being `element(i)` as `encode` writes it at the top
    /// level. Each element is made only when it is written, so only one element's encoding is
    /// alive at a time.
    ///
    /// `outline` is `encode` of the whole value with that member set to `[]`; a top-level
    /// member is the only one indented by exactly two spaces.
    ///
    /// - Throws: what `element` throws; `PrettyJSONError.noEmptyArray` when `outline` has no
    ///   such member.
    public static func splice(_ outline: Data, emptyArray key: String, count: Int,
                              element: (Int) throws -> Data, into sink: (Data) -> Void) throws {
        let marker = Data("\n  \(keyLiteral(key)) : [\n\n  ]".utf8)
        guard let found = outline.firstRange(of: marker) else { throw PrettyJSONError.noEmptyArray(key: key) }
        let valueStart = found.upperBound - 6 // the `[\n\n  ]` itself
        sink(outline[outline.startIndex..<valueStart])
        if count == 0 {
            sink(outline[valueStart...])
            return
        }
        sink(Data("[\n".utf8))
        for i in 0..<count {
            var piece = Data("    ".utf8)
            appendIndented(try element(i), to: &piece, by: 4)
            piece.append(contentsOf: Array((i == count - 1 ? "\n" : ",\n").utf8))
            sink(piece)
        }
        sink(Data("  ]".utf8))
        sink(outline[found.upperBound...])
    }

    /// Appends `json`, with every line after the first indented by `spaces` more: the text of
    /// a value nested one level deeper. Empty lines (of an empty array or object) stay empty.
    private static func appendIndented(_ json: Data, to out: inout Data, by spaces: Int) {
        let indent = [UInt8](repeating: 0x20, count: spaces)
        var start = json.startIndex
        while let newline = json[start...].firstIndex(of: 0x0A) {
            out.append(json[start...newline])
            start = json.index(after: newline)
            if start < json.endIndex, json[start] != 0x0A { out.append(contentsOf: indent) }
        }
        out.append(json[start...])
    }

    /// A member name as the encoder writes it. The names given here are Swift property names
    /// (ASCII letters and digits), which need no escaping; anything else goes through the
    /// encoder itself.
    private static func keyLiteral(_ key: String) -> String {
        if key.utf8.allSatisfy({ $0 >= 0x30 && $0 < 0x7F && $0 != 0x5C }) { return "\"\(key)\"" }
        return String(decoding: (try? encode(key)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

/// Why `PrettyJSON` could not splice.
public enum PrettyJSONError: Error, Hashable, Sendable {
    /// The outline has no top-level member of this name holding an empty array.
    case noEmptyArray(key: String)
}
