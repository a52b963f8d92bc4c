import Foundation
@testable import Telemetry

/// Hand-built sentences: the body between "$" and "*" in, a full sentence with its checksum out.
/// The checksum is computed here, independently of the parser's own code.
func nmea(_ body: String) -> String {
    var x: UInt8 = 0
    for b in body.utf8 { x ^= b }
    let h = String(x, radix: 16, uppercase: true)
    return "$" + body + "*" + (h.count == 1 ? "0" + h : h)
}

/// Parses `lines` joined with CR LF (and a final CR LF).
func parse(_ lines: [String], requireChecksum: Bool = true) -> NMEALog {
    NMEAParser(requireChecksum: requireChecksum).parse(Array((lines.joined(separator: "\r\n") + "\r\n").utf8))
}

/// The only sentence of a one-line input, or nil (with the rejection, if any, for messages).
func single(_ line: String) -> (NMEASentence?, NMEAStatistics) {
    let log = parse([line])
    return (log.sentences.count == 1 ? log.sentences[0] : nil, log.statistics)
}

/// Milliseconds since 1970 of a UTC date and time, computed with Foundation's Gregorian
/// calendar (not the module's own arithmetic), for expected values.
func utcMilliseconds(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ ms: Int = 0) -> Int64 {
    var c = DateComponents()
    (c.year, c.month, c.day, c.hour, c.minute, c.second) = (y, mo, d, h, mi, s)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let date = calendar.date(from: c)!
    return Int64((date.timeIntervalSince1970 * 1000).rounded()) + Int64(ms)
}
