import Evidence
import Foundation
import Journal
import Telemetry

/// Files the gateway derives from what it pulled, for people to read: GPS tracks from the
/// recorder's NMEA logs. They go into the bag as tag files under `tracks/`, so the originals
/// under `data/` stay byte-exact.
enum DerivedFiles {
    /// A GPX 1.1 and a GeoJSON track for every GPS log of the bag that holds at least one fix,
    /// as `tracks/<path under data>.gpx` and `.geojson`; and the fix times, for the report.
    static func tracks(store: LocalStore, bag: String, files: [Journal.File], meta: SessionMeta)
        -> (files: [(path: String, bytes: [UInt8])], fixTimes: [Int64], notes: [String]) {
        var out: [(path: String, bytes: [UInt8])] = []
        var times: [Int64] = []
        var notes: [String] = []
        for f in files where meta.entries[String(f.recordingId)]?.kind == "gps-log" {
            let path = store.stagingBag(bag) + "/" + f.bagPath
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let log = NMEAParser().parse(Array(data))
            let fixes = log.assembleFixes().fixes
            if log.statistics.rejectedCount > 0 {
                notes.append("\(f.bagPath): \(log.statistics.rejectedCount) NMEA sentences refused")
            }
            guard !fixes.isEmpty else { continue }
            times += fixes.map(\.time)
            let base = "tracks/" + f.bagPath.dropFirst(PathSanitizer.root.count)
            let name = (f.bagPath as NSString).lastPathComponent
            out.append((base + ".gpx", Array(GPXWriter(trackName: name).write(fixes).utf8)))
            out.append((base + ".geojson", Array(GeoJSONWriter().write(fixes).utf8)))
        }
        return (out, times.sorted(), notes)
    }
}
