/// Writes fixes as a GeoJSON FeatureCollection (RFC 7946), on one line ended by "\n".
///
/// The first feature is the track: a LineString of the fixes in order, with properties
/// `{"start": first fix's time, "end": last fix's time, "points": count}`. A track of one fix is
/// a Point (a LineString needs two positions); no fixes give an empty collection. Positions are
/// `[lon, lat]`, or `[lon, lat, alt]` for every position when every fix has an altitude (mixing
/// both in one geometry would leave readers to guess; RFC 7946 3.1.1).
///
/// With `includePoints`, a Point feature per fix follows the track, with `[lon, lat]` or
/// `[lon, lat, alt]` by that fix alone and properties `time`, then `speed_mps`, `course`, `mode`,
/// `sats`, `hdop` when the fix has them (the keys of `JSONLinesWriter`).
///
/// Guarantees: valid JSON; no "crs" member (RFC 7946 positions are WGS-84); degrees with up to 9
/// decimals; the same fixes give the same bytes. Fixes without a writable position are skipped.
public struct GeoJSONWriter: Sendable {
    /// Whether to add a Point feature per fix after the track.
    public var includePoints: Bool

    public init(includePoints: Bool = false) {
        self.includePoints = includePoints
    }

    public func write(_ fixes: [GPSFix]) -> String {
        let track = fixes.filter(TrackText.isWritable)
        var features: [String] = []
        if let first = track.first, let last = track.last {
            let withAltitude = track.allSatisfy { $0.altitude.flatMap { TrackText.decimal($0, TrackText.valueDecimals) } != nil }
            let positions = track.map { GeoJSONWriter.position($0, altitude: withAltitude) }
            let geometry = track.count == 1
                ? "{\"type\":\"Point\",\"coordinates\":\(positions[0])}"
                : "{\"type\":\"LineString\",\"coordinates\":[\(positions.joined(separator: ","))]}"
            let properties = "{\"start\":\(TrackText.jsonString(TrackText.utc(first.time))),"
                + "\"end\":\(TrackText.jsonString(TrackText.utc(last.time))),\"points\":\(track.count)}"
            features.append("{\"type\":\"Feature\",\"geometry\":\(geometry),\"properties\":\(properties)}")
        }
        if includePoints {
            for fix in track {
                let properties = ["\"time\":" + TrackText.jsonString(TrackText.utc(fix.time))]
                    + JSONLinesWriter.properties(of: fix, includingAltitude: false)
                features.append("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                                + GeoJSONWriter.position(fix, altitude: fix.altitude != nil)
                                + "},\"properties\":{" + properties.joined(separator: ",") + "}}")
            }
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[" + features.joined(separator: ",") + "]}\n"
    }

    /// "[lon,lat]" or "[lon,lat,alt]".
    private static func position(_ fix: GPSFix, altitude: Bool) -> String {
        // isWritable has checked both are within range, so both format.
        var parts = [TrackText.decimal(fix.longitude, TrackText.degreeDecimals) ?? "0",
                     TrackText.decimal(fix.latitude, TrackText.degreeDecimals) ?? "0"]
        if altitude, let alt = fix.altitude.flatMap({ TrackText.decimal($0, TrackText.valueDecimals) }) {
            parts.append(alt)
        }
        return "[" + parts.joined(separator: ",") + "]"
    }
}
