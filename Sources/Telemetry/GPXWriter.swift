/// Writes fixes as a GPX 1.1 document: one `<trk>` with one `<trkseg>`, one `<trkpt>` per fix.
///
/// Each point has `lat` and `lon` attributes (up to 9 decimals), then, in the order the GPX 1.1
/// schema requires, `<ele>` (metres above mean sea level), `<time>` (UTC with milliseconds),
/// `<fix>` (when the mode is one of GPX's "none", "2d", "3d", "dgps", "pps"; "no-fix" is written
/// "none"), `<sat>` and `<hdop>`, each only when the fix has it. Speed and course have no place
/// in GPX 1.1 (they were dropped from 1.0) and are not written.
///
/// Guarantees: well-formed XML 1.0 in UTF-8 whatever the track name (markup characters are
/// escaped, characters XML 1.0 forbids are dropped); the same fixes give the same bytes; a
/// longitude of exactly 180 is written -180, the same meridian, because GPX's longitudeType
/// excludes 180. Fixes without a writable position are skipped.
public struct GPXWriter: Sendable {
    /// The track's `<name>`, e.g. the recorder's serial and the recording; none if nil.
    public var trackName: String?

    public init(trackName: String? = nil) {
        self.trackName = trackName
    }

    public func write(_ fixes: [GPSFix]) -> String {
        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <gpx version="1.1" creator="recorder-gateway" xmlns="http://www.topografix.com/GPX/1/1">
          <trk>

        """
        if let trackName { out += "    <name>" + GPXWriter.escaped(trackName) + "</name>\n" }
        out += "    <trkseg>\n"
        for fix in fixes where TrackText.isWritable(fix) {
            guard let lat = TrackText.decimal(fix.latitude, TrackText.degreeDecimals),
                  let lon = TrackText.decimal(fix.longitude == 180 ? -180 : fix.longitude, TrackText.degreeDecimals)
            else { continue }
            out += "      <trkpt lat=\"\(lat)\" lon=\"\(lon)\">\n"
            if let ele = fix.altitude.flatMap({ TrackText.decimal($0, TrackText.valueDecimals) }) {
                out += "        <ele>\(ele)</ele>\n"
            }
            out += "        <time>\(TrackText.utc(fix.time))</time>\n"
            if let kind = fix.mode.flatMap({ GPXWriter.fixTypes[$0] }) {
                out += "        <fix>\(kind)</fix>\n"
            }
            if let sats = fix.satellites, sats >= 0 {
                out += "        <sat>\(sats)</sat>\n"
            }
            if let hdop = fix.hdop.flatMap({ TrackText.decimal($0, TrackText.valueDecimals) }) {
                out += "        <hdop>\(hdop)</hdop>\n"
            }
            out += "      </trkpt>\n"
        }
        out += "    </trkseg>\n  </trk>\n</gpx>\n"
        return out
    }

    /// GPX 1.1 fixType values by `GPSFix.mode`.
    static let fixTypes = ["no-fix": "none", "2d": "2d", "3d": "3d", "dgps": "dgps", "pps": "pps"]

    /// Character data or attribute value text: &, <, >, " and ' escaped; characters that XML 1.0
    /// cannot carry even escaped (controls other than tab, LF and CR; U+FFFE, U+FFFF) dropped.
    static func escaped(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
