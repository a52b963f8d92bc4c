import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A track point as read back from GPX (ours or GPSBabel's).
struct GPXPoint: Equatable {
    var latitude: Double
    var longitude: Double
    var elevation: Double?
    /// Milliseconds since 1970.
    var time: Int64?
    var satellites: Int?
    var hdop: Double?
}

/// Reads every `<trkpt>` of a GPX document with Foundation's XMLParser (libxml2 on Linux):
/// a parser written elsewhere, so a document it accepts is well-formed XML.
final class GPXReader: NSObject, XMLParserDelegate {
    private(set) var points: [GPXPoint] = []
    private(set) var rootAttributes: [String: String] = [:]
    private(set) var rootNamespace: String?
    private(set) var trackName: String?
    private var current: GPXPoint?
    private var text = ""
    private var badValue: String?

    /// The points, or a description of why the document is not well-formed or not what a
    /// GPX track point needs.
    static func read(_ data: Data) -> Result<GPXReader, GPXReadError> {
        let reader = GPXReader()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        guard parser.parse() else {
            return .failure(GPXReadError(message: "XML error \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)"))
        }
        if let bad = reader.badValue { return .failure(GPXReadError(message: bad)) }
        return .success(reader)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        text = ""
        if name == "gpx" {
            rootAttributes = attributes
            rootNamespace = namespaceURI
        }
        if name == "trkpt" {
            guard let lat = attributes["lat"].flatMap(Double.init), let lon = attributes["lon"].flatMap(Double.init) else {
                badValue = "trkpt without numeric lat and lon: \(attributes)"
                return
            }
            current = GPXPoint(latitude: lat, longitude: lon)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case "ele": current?.elevation = Double(value)
        case "time" where current != nil:
            guard let t = parseUTC(value) else {
                badValue = "time \"\(value)\" is not UTC ISO 8601"
                return
            }
            current?.time = t
        case "sat": current?.satellites = Int(value)
        case "hdop": current?.hdop = Double(value)
        case "name" where current == nil: trackName = value
        case "trkpt":
            if let p = current { points.append(p) }
            current = nil
        default: break
        }
    }
}

struct GPXReadError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// "2014-05-26T08:14:11Z" or "2020-03-18T13:28:20.600Z" to milliseconds since 1970. Parsed by
/// hand (fields, then Foundation's calendar) so fractional seconds of any length are exact.
func parseUTC(_ s: String) -> Int64? {
    let u = Array(s.utf8)
    guard u.count >= 20, u.last == UInt8(ascii: "Z"), u[4] == UInt8(ascii: "-"), u[10] == UInt8(ascii: "T") else { return nil }
    func number(_ r: Range<Int>) -> Int? { Int(String(decoding: u[r], as: UTF8.self)) }
    guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
          let mi = number(14..<16), let sec = number(17..<19) else { return nil }
    var ms = 0
    if u[19] == UInt8(ascii: ".") {
        let digits = Array(u[20..<(u.count - 1)])
        var scale = 100
        for digit in digits.prefix(3) {
            ms += Int(digit - 0x30) * scale
            scale /= 10
        }
    }
    return utcMilliseconds(y, mo, d, h, mi, sec, ms)
}
