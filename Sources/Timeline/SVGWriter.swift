/// Writes SVG text: escaped, with numbers in one fixed form, so the same picture is always the
/// same bytes.
///
/// A writer keeps its text (`body`), hands it on in pieces as it goes (`flushing(to:)`), or
/// keeps nothing (`measuring`): a picture of fifty thousand recordings is megabytes of text,
/// and laying it out once without text tells its height before a byte of it is written.
struct SVGWriter {
    private(set) var body = ""
    private var sink: ((String) -> Void)?
    private var keepsText = true

    /// A writer that keeps its text in `body`.
    init() {}

    /// A writer that keeps no text, for laying a picture out.
    static var measuring: SVGWriter { var w = SVGWriter(); w.keepsText = false; return w }

    /// Whether this is a `measuring` writer: a lane that knows its height can stop there, its
    /// drawing would be thrown away.
    var isMeasuring: Bool { !keepsText }

    /// A writer that hands its text to `sink`, in order, in pieces of about 64 KiB; call
    /// `finish()` for the last piece.
    static func flushing(to sink: @escaping (String) -> Void) -> SVGWriter {
        var w = SVGWriter(); w.sink = sink; return w
    }

    /// Hands what is left to the sink.
    mutating func finish() {
        if let sink, !body.isEmpty { sink(body); body = "" }
    }

    private static let piece = 1 << 16

    private mutating func flushIfFull() {
        if let sink, body.utf8.count >= Self.piece { sink(body); body = "" }
    }

    /// `<name attr="value" …/>`, or with text content / children when given. Attribute values
    /// and text are escaped; attribute order is the order given.
    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil, children: String? = nil) {
        guard keepsText else { return }
        defer { flushIfFull() }
        body += "<" + name
        for (k, v) in attributes { body += " " + k + "=\"" + Self.escape(v) + "\"" }
        if let text {
            body += ">" + Self.escape(text) + "</" + name + ">\n"
        } else if let children {
            body += ">" + children + "</" + name + ">\n"
        } else {
            body += "/>\n"
        }
    }

    /// Raw markup (already escaped), e.g. a group's opening tag.
    mutating func raw(_ s: String) {
        guard keepsText else { return }
        body += s
        flushIfFull()
    }

    /// A coordinate or length with one decimal, `12.5`, `-3.0`: no locale, no exponent.
    static func n(_ x: Double) -> String { Fixed.text(x.isFinite ? x : 0, 1) }

    /// Text safe inside an XML 1.0 element or a double-quoted attribute: `& < > " '` escaped;
    /// characters XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE; U+FFFF) and line
    /// breaks (which would be folded to spaces in attributes anyway) shown as U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF || (0x7F...0x9F).contains(u.value):
                out.unicodeScalars.append("\u{FFFD}")
            default:
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
