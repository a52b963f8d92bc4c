import Foundation

/// One position of the recorder at one instant, merged from every sentence of one epoch.
///
/// Guarantees, for fixes from `FixAssembler`: `time` is a UTC instant from a date the receiver
/// sent (or, for epochs before the first date, one inferred as `FixAssembler` documents);
/// latitude is in -90...90 and longitude in -180...180, both from a sentence the receiver marked
/// valid; every optional value is finite and present only if some sentence of the epoch carried it.
public struct GPSFix: Codable, Equatable, Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z, UTC, no leap seconds (as Unix time counts).
    public var time: Int64
    /// Degrees, WGS-84, north positive.
    public var latitude: Double
    /// Degrees, WGS-84, east positive.
    public var longitude: Double
    /// Metres above mean sea level (GGA's altitude; not ellipsoidal height).
    public var altitude: Double?
    /// Speed over ground.
    public var speedMetresPerSecond: Double?
    /// Course over ground, degrees from true north.
    public var course: Double?
    /// How the position was obtained: "2d" or "3d" from GSA; otherwise the GGA quality or the
    /// RMC/GLL mode indicator, named "gps", "dgps", "pps", "rtk", "float-rtk", "estimated",
    /// "manual" or "simulated"; "no-fix" when only a GSA saying so is known.
    public var mode: String?
    /// Satellites used in the fix (GGA's count, else the satellites listed by the epoch's GSAs).
    public var satellites: Int?
    /// Horizontal dilution of precision.
    public var hdop: Double?

    public init(time: Int64, latitude: Double, longitude: Double, altitude: Double? = nil,
                speedMetresPerSecond: Double? = nil, course: Double? = nil, mode: String? = nil,
                satellites: Int? = nil, hdop: Double? = nil) {
        self.time = time
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.speedMetresPerSecond = speedMetresPerSecond
        self.course = course
        self.mode = mode
        self.satellites = satellites
        self.hdop = hdop
    }

    /// `time` as a Foundation `Date` (exact to the millisecond for any date within ± 142,000
    /// years of 1970, beyond which a Double cannot hold every millisecond).
    public var date: Date { Date(timeIntervalSince1970: Double(time) / 1000) }
}
