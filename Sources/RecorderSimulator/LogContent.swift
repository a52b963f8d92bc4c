import Foundation
import Calendrical

/// Text logs a simulated recorder keeps: NMEA 0183 GPS logs and the time and event logs whose
/// format Docs/simulator.md defines.
public enum LogContent {
    /// A GPS track as a recorder's GNSS module writes it: one RMC and one GGA sentence per second,
    /// CRLF line ends, times in GNSS UTC.
    public struct Track: Sendable, Hashable {
        /// GNSS UTC of the first fix, milliseconds since 1970.
        public var startMilliseconds: Int64
        public var seconds: Int
        public var latitude: Double
        public var longitude: Double
        /// Two-letter talker: GP, GN, GL, GA, BD or GB.
        public var talker: String
        public var speedMetresPerSecond: Double
        public var courseDegrees: Double
        public var altitudeMetres: Double

        public init(startMilliseconds: Int64, seconds: Int, latitude: Double, longitude: Double, talker: String = "GN",
                    speedMetresPerSecond: Double = 1.4, courseDegrees: Double = 90, altitudeMetres: Double = 45) {
            self.startMilliseconds = startMilliseconds
            self.seconds = seconds
            self.latitude = latitude
            self.longitude = longitude
            self.talker = talker
            self.speedMetresPerSecond = speedMetresPerSecond
            self.courseDegrees = courseDegrees
            self.altitudeMetres = altitudeMetres
        }
    }

    /// The NMEA text of `track`.
    public static func nmea(_ track: Track) -> [UInt8] {
        var out = ""
        var lat = track.latitude, lon = track.longitude
        let course = track.courseDegrees * .pi / 180
        for s in 0..<max(0, track.seconds) {
            let ms = track.startMilliseconds + Int64(s) * 1000
            let days = Int64((Double(ms) / 86_400_000).rounded(.down))
            let (y, m, d) = CivilCalendar.civil(days)
            let t = ms - days * 86_400_000
            let time = String(format: "%02d%02d%02d.%03d", Int(t / 3_600_000), Int(t / 60_000 % 60), Int(t / 1000 % 60), Int(t % 1000))
            let date = String(format: "%02d%02d%02d", Int(d), Int(m), Int(y % 100))
            let (latText, ns) = coordinate(lat, degreesWidth: 2, positive: "N", negative: "S")
            let (lonText, ew) = coordinate(lon, degreesWidth: 3, positive: "E", negative: "W")
            let knots = String(format: "%.2f", track.speedMetresPerSecond * 1.943844)
            let heading = String(format: "%.1f", track.courseDegrees)
            let sats = 8 + s % 5
            out += sentence("\(track.talker)RMC,\(time),A,\(latText),\(ns),\(lonText),\(ew),\(knots),\(heading),\(date),,,A")
            out += sentence("\(track.talker)GGA,\(time),\(latText),\(ns),\(lonText),\(ew),1,\(String(format: "%02d", sats)),0.9,"
                            + String(format: "%.1f", track.altitudeMetres) + ",M,-8.0,M,,")
            // Move along the course: metres to degrees on a sphere of radius 6371 km.
            let metres = track.speedMetresPerSecond
            lat += metres * cos(course) / 111_195
            lon += metres * sin(course) / (111_195 * max(0.01, cos(lat * .pi / 180)))
        }
        return Array(out.utf8)
    }

    /// "$" + body + "*" + checksum + CRLF.
    static func sentence(_ body: String) -> String {
        let sum = body.utf8.reduce(UInt8(0)) { $0 ^ $1 }
        return "$" + body + "*" + String(format: "%02X", sum) + "\r\n"
    }

    private static func coordinate(_ value: Double, degreesWidth: Int, positive: String, negative: String) -> (String, String) {
        // Round to the printed 1/10000 minute first, so 39.9999999° becomes 40°00.0000', not 39°60.0000'.
        let totalMinutes = (abs(value) * 60 * 10_000).rounded() / 10_000
        let degrees = Int(totalMinutes / 60)
        let minutes = totalMinutes - Double(degrees) * 60
        let text = String(format: "%0\(degreesWidth)d", degrees) + String(format: "%07.4f", minutes)
        return (text, value < 0 ? negative : positive)
    }

    /// One line of a time or event log.
    public struct Event: Sendable, Hashable {
        /// Device clock, UTC milliseconds.
        public var atMilliseconds: Int64
        /// Upper-case letters, digits and '_': POWER_ON, TIME_SET, GNSS_SYNC, RECORD_START, ...
        public var type: String
        /// `key=value` pairs separated by spaces, or empty.
        public var detail: String

        public init(atMilliseconds: Int64, type: String, detail: String = "") {
            self.atMilliseconds = atMilliseconds
            self.type = type
            self.detail = detail
        }
    }

    /// `<device-local ISO 8601 time with ms and offset> <TYPE>[ <detail>]` per line, LF ends.
    public static func eventLog(_ events: [Event], zoneOffsetMinutes: Int) -> [UInt8] {
        var out = ""
        for e in events {
            out += formatLocalISO8601(milliseconds: e.atMilliseconds, zoneOffsetMinutes: zoneOffsetMinutes) + " " + e.type
            if !e.detail.isEmpty { out += " " + e.detail }
            out += "\n"
        }
        return Array(out.utf8)
    }
}
