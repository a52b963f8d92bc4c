import Foundation
import TestSupport

/// Runs the Debian `gpsbabel` binary: an NMEA reader and GPX writer not written here.
enum GPSBabel {
    static let path: String? = ["/usr/bin/gpsbabel", "/usr/local/bin/gpsbabel"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Whether gpsbabel is installed; says it is not, once, when it is not.
    static let available: Bool = {
        if path == nil { print("skipped: gpsbabel is not installed (apt-get install gpsbabel)") }
        return path != nil
    }()

    /// Standard output of `gpsbabel arguments`; throws with its standard error on failure.
    static func run(_ arguments: [String]) throws -> Data {
        let result = try TestSupport.run(path!, arguments)
        guard result.status == 0 else {
            throw GPXReadError(message: "gpsbabel \(arguments.joined(separator: " ")) exited \(result.status): " + result.errorOutput)
        }
        return Data(result.output.utf8)
    }

    /// GPSBabel's track points for an NMEA file: `gpsbabel -t -i nmea -f FILE -o gpx -F -`.
    static func trackPoints(nmeaFile: URL) throws -> [GPXPoint] {
        try GPXReader.read(try run(["-t", "-i", "nmea", "-f", nmeaFile.path, "-o", "gpx", "-F", "-"])).get().points
    }

    /// GPSBabel's track points for NMEA text, via a temporary file.
    static func trackPoints(nmeaText: String) throws -> [GPXPoint] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-\(UUID().uuidString).nmea")
        try Data(nmeaText.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try trackPoints(nmeaFile: file)
    }

    /// How many track points GPSBabel reads from a GPX document of ours: it must accept it as GPX.
    static func readBack(gpx: String) throws -> [GPXPoint] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-\(UUID().uuidString).gpx")
        try Data(gpx.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try GPXReader.read(try run(["-t", "-i", "gpx", "-f", file.path, "-o", "gpx", "-F", "-"])).get().points
    }
}
