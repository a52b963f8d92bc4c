import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import Testing
@testable import Telemetry

/// The three track formats: exact text for known fixes, escaping, edge cases, and round trips
/// through parsers written elsewhere (JSONSerialization, XMLParser) keeping 1e-7 degree.
@Suite struct WriterTests {
    static let full = GPSFix(time: utcMilliseconds(2026, 11, 26, 0, 15, 0), latitude: 31.247981666666667,
                             longitude: 121.58740333333333, altitude: 153.8, speedMetresPerSecond: 0.26 * 1852 / 3600,
                             course: 167.42, mode: "3d", satellites: 6, hdop: 1.2)
    static let minimal = GPSFix(time: utcMilliseconds(2026, 11, 26, 0, 15, 1, 250), latitude: -33.852056666666667,
                                longitude: -151.20946333333333)

    @Test func jsonLinesExactText() {
        #expect(JSONLinesWriter().write([Self.full, Self.minimal]) == """
        {"time":"2026-11-26T00:15:00.000Z","lat":31.247981667,"lon":121.587403333,"alt":153.8,"speed_mps":0.134,"course":167.42,"mode":"3d","sats":6,"hdop":1.2}
        {"time":"2026-11-26T00:15:01.250Z","lat":-33.852056667,"lon":-151.209463333}

        """)
        #expect(JSONLinesWriter().write([]) == "")
    }

    @Test func gpxExactText() {
        #expect(GPXWriter(trackName: "A100001 <DSJ> & \"officer's\"\u{1}").write([Self.full, Self.minimal]) == """
        <?xml version="1.0" encoding="UTF-8"?>
        <gpx version="1.1" creator="recorder-gateway" xmlns="http://www.topografix.com/GPX/1/1">
          <trk>
            <name>A100001 &lt;DSJ&gt; &amp; &quot;officer&apos;s&quot;</name>
            <trkseg>
              <trkpt lat="31.247981667" lon="121.587403333">
                <ele>153.8</ele>
                <time>2026-11-26T00:15:00.000Z</time>
                <fix>3d</fix>
                <sat>6</sat>
                <hdop>1.2</hdop>
              </trkpt>
              <trkpt lat="-33.852056667" lon="-151.209463333">
                <time>2026-11-26T00:15:01.250Z</time>
              </trkpt>
            </trkseg>
          </trk>
        </gpx>

        """)
    }

    @Test func gpxIsWellFormedWithTheRightRootAndReadsBack() throws {
        let text = GPXWriter(trackName: "a & b < c").write([Self.full, Self.minimal])
        let reader = try GPXReader.read(Data(text.utf8)).get()
        #expect(reader.rootNamespace == "http://www.topografix.com/GPX/1/1")
        #expect(reader.rootAttributes["version"] == "1.1")
        #expect(reader.rootAttributes["creator"] == "recorder-gateway")
        #expect(reader.trackName == "a & b < c")
        #expect(reader.points.map(\.time) == [Self.full.time, Self.minimal.time])
        #expect(reader.points.map(\.elevation) == [153.8, nil])
        #expect(reader.points.map(\.satellites) == [6, nil])
    }

    @Test func gpxWritesLongitude180AsMinus180AndSkipsImpossiblePositions() throws {
        let fixes = [GPSFix(time: 0, latitude: 0, longitude: 180), GPSFix(time: 0, latitude: .nan, longitude: 0),
                     GPSFix(time: 0, latitude: 91, longitude: 0)]
        let points = try GPXReader.read(Data(GPXWriter().write(fixes).utf8)).get().points
        #expect(points.map(\.longitude) == [-180])
        #expect(JSONLinesWriter().write(fixes).split(separator: "\n").count == 1)
    }

    @Test func geoJSONExactText() {
        let withAltitude = GPSFix(time: Self.minimal.time, latitude: Self.minimal.latitude, longitude: Self.minimal.longitude, altitude: -2)
        #expect(GeoJSONWriter().write([Self.full, withAltitude]) == """
        {"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[121.587403333,31.247981667,153.8],[-151.209463333,-33.852056667,-2]]},"properties":{"start":"2026-11-26T00:15:00.000Z","end":"2026-11-26T00:15:01.250Z","points":2}}]}

        """)
        // One fix without altitude: every position of the line drops to two dimensions.
        #expect(GeoJSONWriter().write([Self.full, Self.minimal]).contains("[[121.587403333,31.247981667],[-151.209463333,-33.852056667]]"))
        #expect(GeoJSONWriter().write([]) == "{\"type\":\"FeatureCollection\",\"features\":[]}\n")
        #expect(GeoJSONWriter().write([Self.minimal]) == """
        {"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-151.209463333,-33.852056667]},"properties":{"start":"2026-11-26T00:15:01.250Z","end":"2026-11-26T00:15:01.250Z","points":1}}]}

        """)
    }

    @Test func geoJSONPointFeatures() throws {
        let text = GeoJSONWriter(includePoints: true).write([Self.full, Self.minimal])
        #expect(text.contains("""
        {"type":"Feature","geometry":{"type":"Point","coordinates":[121.587403333,31.247981667,153.8]},"properties":{"time":"2026-11-26T00:15:00.000Z","speed_mps":0.134,"course":167.42,"mode":"3d","sats":6,"hdop":1.2}}
        """))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let features = try #require(object["features"] as? [[String: Any]])
        #expect(features.count == 3)
        #expect((features[2]["properties"] as? [String: Any])?.keys.sorted() == ["time"])
    }

    @Test func decimalFormatting() {
        #expect(TrackText.decimal(-0.0, 9) == "0")
        #expect(TrackText.decimal(-0.0000000001, 9) == "0")
        #expect(TrackText.decimal(1.0, 3) == "1")
        #expect(TrackText.decimal(0.1 + 0.2, 3) == "0.3")
        #expect(TrackText.decimal(-12.5, 3) == "-12.5")
        #expect(TrackText.decimal(0.0000000016, 9) == "0.000000002")
        #expect(TrackText.decimal(179.9999999999, 9) == "180")
        #expect(TrackText.decimal(.nan, 3) == nil)
        #expect(TrackText.decimal(.infinity, 3) == nil)
        #expect(TrackText.decimal(1e20, 3) == nil)
    }

    /// Our ISO 8601 text against Foundation's calendar, for random instants over 1900...2200.
    @Test func utcTextAgreesWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var rng = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let ms = Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &rng)
            let date = Date(timeIntervalSince1970: Double(ms.quotientAndRemainder(dividingBy: 1000).quotient
                                                          - (ms % 1000 < 0 ? 1 : 0)))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let millis = (ms % 1000 + 1000) % 1000
            let expected = "\(pad(c.year!, 4))-\(pad(c.month!, 2))-\(pad(c.day!, 2))T\(pad(c.hour!, 2)):\(pad(c.minute!, 2)):\(pad(c.second!, 2)).\(pad(Int(millis), 3))Z"
            #expect(TrackText.utc(ms) == expected)
        }
        #expect(TrackText.utc(0) == "1970-01-01T00:00:00.000Z")
        #expect(TrackText.utc(-1) == "1969-12-31T23:59:59.999Z")
        #expect(TrackText.utc(951_782_400_000) == "2000-02-29T00:00:00.000Z")
    }

    /// Random fixes through each writer and back through a parser not written here.
    @Test func roundTripsKeepOneTenMillionthOfADegree() throws {
        var rng = SplitMix64(seed: 1234)
        let fixes = (0..<500).map { k in
            GPSFix(time: 1_700_000_000_000 + Int64(k) * 1000, latitude: Double.random(in: -90...90, using: &rng),
                   longitude: Double.random(in: -180..<180, using: &rng), altitude: Double.random(in: -400...9000, using: &rng),
                   speedMetresPerSecond: Double.random(in: 0...60, using: &rng), course: Double.random(in: 0..<360, using: &rng),
                   mode: "3d", satellites: Int.random(in: 4...40, using: &rng), hdop: Double.random(in: 0.5...20, using: &rng))
        }
        func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { abs(a - b) <= tolerance }

        let lines = JSONLinesWriter().write(fixes).split(separator: "\n")
        #expect(lines.count == fixes.count)
        for (line, fix) in zip(lines, fixes) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(close(object["lat"] as! Double, fix.latitude, 1e-7) && close(object["lon"] as! Double, fix.longitude, 1e-7))
            #expect(close(object["alt"] as! Double, fix.altitude!, 5e-4))
            #expect(parseUTC(object["time"] as! String) == fix.time)
        }

        let points = try GPXReader.read(Data(GPXWriter().write(fixes).utf8)).get().points
        #expect(points.count == fixes.count)
        for (point, fix) in zip(points, fixes) {
            #expect(close(point.latitude, fix.latitude, 1e-7) && close(point.longitude, fix.longitude, 1e-7))
            #expect(point.time == fix.time)
        }

        let geo = try #require(try JSONSerialization.jsonObject(with: Data(GeoJSONWriter().write(fixes).utf8)) as? [String: Any])
        let feature = try #require((geo["features"] as? [[String: Any]])?.first)
        let coordinates = try #require((feature["geometry"] as? [String: Any])?["coordinates"] as? [[Double]])
        #expect(coordinates.count == fixes.count)
        for (position, fix) in zip(coordinates, fixes) {
            #expect(position.count == 3)
            #expect(close(position[0], fix.longitude, 1e-7) && close(position[1], fix.latitude, 1e-7))
        }
    }

    @Test func writersAreDeterministic() {
        let fixes = [Self.full, Self.minimal]
        #expect(JSONLinesWriter().write(fixes) == JSONLinesWriter().write(fixes))
        #expect(GPXWriter().write(fixes) == GPXWriter().write(fixes))
        #expect(GeoJSONWriter(includePoints: true).write(fixes) == GeoJSONWriter(includePoints: true).write(fixes))
    }
}
