import Foundation
import Settings
import Telemetry

let gpsCommand = Command(
    name: "gps",
    synopsis: "gps convert --to jsonl|gpx|geojson FILE   a recorder's NMEA log as a track",
    help: """
    usage: recorderctl gps convert --to jsonl|gpx|geojson FILE [--json]

    Parses the NMEA 0183 log FILE (any talker: GP, GN, GL, GA, BD, GB; checksums checked;
    bad sentences counted, never fatal) and writes the fixes to standard output: one JSON
    object per fix (jsonl), a GPX 1.1 track, or a GeoJSON FeatureCollection. The count of
    sentences, fixes and refused sentences goes to standard error (or, with --json, replaces
    the track with a summary). Exit 2 when the log holds no fix, 3 when FILE does not exist.
    """,
    run: { args in
        guard let format = try args.option("--to") else { throw UsageError(description: "--to jsonl|gpx|geojson is required") }
        let words = try args.positionals(min: 2, max: 2)
        guard words[0] == "convert" else { throw UsageError(description: "gps takes convert, not \(words[0])") }
        let path = words[1]
        guard let data = FileManager.default.contents(atPath: path) else { throw NotFound(description: "cannot read \(path)") }
        let log = NMEAParser().parse(Array(data))
        let assembly = log.assembleFixes()
        let text: String
        switch format {
        case "jsonl": text = JSONLinesWriter().write(assembly.fixes)
        case "gpx": text = GPXWriter(trackName: (path as NSString).lastPathComponent).write(assembly.fixes)
        case "geojson": text = GeoJSONWriter().write(assembly.fixes)
        default: throw UsageError(description: "--to \(format): use jsonl, gpx or geojson")
        }
        let refused = log.statistics.rejectedCount
        let summary = "\(path): \(log.sentences.count) sentences, \(assembly.fixes.count) fixes, \(refused) sentences refused"
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        var out = Output()
        out.exit = assembly.fixes.isEmpty ? .nothingToDo : .ok
        out.lines = text.isEmpty ? [] : [text.hasSuffix("\n") ? String(text.dropLast()) : text]
        out.json = ["file": path, "sentences": log.sentences.count, "fixes": assembly.fixes.count, "refused": refused]
        return out
    })
