/// The metadata of a bag, `bag-info.txt` (RFC 8493 §2.2.2): labelled values in the order they
/// were added.
///
/// Guarantees: `text()` has exactly one line `Label: value` per element, in order, and a
/// reader that splits each line at its first `:` gets back exactly the labels and (after
/// stripping the one space) the values that were added. That holds because the initialiser
/// and `append` refuse, with a `BagInfoError` naming the label, anything that would break a
/// line or a label: values are never folded, so a value may not contain a line break.
/// Spaces at the ends of a value are written as given; readers that strip whitespace (the
/// Library of Congress `bagit` tool does) will not see them.
public struct BagInfo: Sendable, Hashable {
    /// One labelled value.
    public struct Element: Sendable, Hashable {
        /// The label, e.g. `Source-Organization`.
        public let label: String
        /// The value, on one line.
        public let value: String
    }

    /// The elements in the order they were added. Labels may repeat (RFC 8493 allows it for
    /// most labels).
    public private(set) var elements: [Element] = []

    /// An empty bag-info.
    public init() {}

    /// A bag-info with `pairs` in order; throws on the first label or value that is refused.
    public init(_ pairs: [(label: String, value: String)]) throws(BagInfoError) {
        for pair in pairs { try append(pair.label, pair.value) }
    }

    /// Adds `label: value` at the end.
    ///
    /// Refuses a label that is empty, contains `:`, begins or ends with whitespace, or holds a
    /// control character; and a value that holds a line break (CR, LF, NEL, U+2028, U+2029) or
    /// any other control character, since readers would split or mangle the line.
    public mutating func append(_ label: String, _ value: String) throws(BagInfoError) {
        if label.isEmpty { throw .invalidLabel(label: label, reason: "is empty") }
        if label.contains(":") { throw .invalidLabel(label: label, reason: "contains ':'") }
        if let s = label.unicodeScalars.first(where: BagInfo.isBreaking) {
            throw .invalidLabel(label: label, reason: "contains \(BagInfo.name(s))")
        }
        if label.unicodeScalars.first!.properties.isWhitespace || label.unicodeScalars.last!.properties.isWhitespace {
            throw .invalidLabel(label: label, reason: "begins or ends with whitespace")
        }
        if let s = value.unicodeScalars.first(where: BagInfo.isBreaking) {
            throw .invalidValue(label: label, reason: "contains \(BagInfo.name(s)); bag-info values are one line, never folded")
        }
        elements.append(Element(label: label, value: value))
    }

    /// Every value with `label`, in order.
    public func values(for label: String) -> [String] {
        elements.filter { $0.label == label }.map(\.value)
    }

    /// The contents of `bag-info.txt`: `Label: value\n` per element, in order.
    public func text() -> String {
        elements.map { "\($0.label): \($0.value)\n" }.joined()
    }

    /// Controls (C0, DEL, C1, which include CR, LF and NEL) and the Unicode line and paragraph
    /// separators, which some readers treat as line ends.
    static func isBreaking(_ s: Unicode.Scalar) -> Bool {
        s.properties.generalCategory == .control || s == "\u{2028}" || s == "\u{2029}"
    }

    static func name(_ s: Unicode.Scalar) -> String {
        switch s {
        case "\n": "a line feed (LF)"
        case "\r": "a carriage return (CR)"
        case "\u{85}": "a next-line character (NEL)"
        case "\u{2028}": "a line separator (U+2028)"
        case "\u{2029}": "a paragraph separator (U+2029)"
        default: "the control character U+\(String(s.value, radix: 16, uppercase: true).leftPadded(to: 4))"
        }
    }
}

/// Why a label or value cannot go into bag-info.txt. Both cases name the label.
public enum BagInfoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The label itself is unusable.
    case invalidLabel(label: String, reason: String)
    /// The value for this label is unusable.
    case invalidValue(label: String, reason: String)

    /// The label the error is about.
    public var label: String {
        switch self {
        case .invalidLabel(let label, _), .invalidValue(let label, _): label
        }
    }

    public var description: String {
        switch self {
        case .invalidLabel(let label, let reason): "bag-info label \(label.debugDescription) \(reason)"
        case .invalidValue(let label, let reason): "bag-info value for \(label) \(reason)"
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
