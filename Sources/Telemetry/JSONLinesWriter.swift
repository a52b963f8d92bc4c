/// Writes fixes as JSON lines: one object per fix, one fix per line, each line ended by "\n".
///
/// `{"time":"2026-11-26T00:15:00.000Z","lat":31.247981667,"lon":121.587403333,"alt":153.8,
/// "speed_mps":0.134,"course":167.42,"mode":"3d","sats":6,"hdop":1.2}` (on one line).
///
/// Guarantees: keys in exactly that order; a value the fix does not have is left out (never
/// `null`); degrees with up to 9 decimals and other values with up to 3, trailing zeros removed,
/// so reading back gives each degree within 5e-10; the same fixes give the same bytes. Fixes
/// without a writable position (see `GPSFix`) are skipped.
public struct JSONLinesWriter: Sendable {
    public init() {}

    public func write(_ fixes: [GPSFix]) -> String {
        var out = ""
        for fix in fixes {
            if let line = line(fix) { out += line + "\n" }
        }
        return out
    }

    /// One fix's object without the line end; nil if its position cannot be written.
    public func line(_ fix: GPSFix) -> String? {
        guard TrackText.isWritable(fix),
              let lat = TrackText.decimal(fix.latitude, TrackText.degreeDecimals),
              let lon = TrackText.decimal(fix.longitude, TrackText.degreeDecimals) else { return nil }
        var members = ["\"time\":" + TrackText.jsonString(TrackText.utc(fix.time)), "\"lat\":" + lat, "\"lon\":" + lon]
        members += JSONLinesWriter.properties(of: fix, includingAltitude: true)
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The optional members in their fixed order: alt, speed_mps, course, mode, sats, hdop.
    static func properties(of fix: GPSFix, includingAltitude: Bool) -> [String] {
        var members: [String] = []
        func add(_ key: String, _ value: Double?) {
            if let value, let text = TrackText.decimal(value, TrackText.valueDecimals) {
                members.append("\"\(key)\":" + text)
            }
        }
        if includingAltitude { add("alt", fix.altitude) }
        add("speed_mps", fix.speedMetresPerSecond)
        add("course", fix.course)
        if let mode = fix.mode { members.append("\"mode\":" + TrackText.jsonString(mode)) }
        if let sats = fix.satellites { members.append("\"sats\":" + String(sats)) }
        add("hdop", fix.hdop)
        return members
    }
}
