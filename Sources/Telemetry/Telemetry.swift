// Telemetry: NMEA 0183 logs from body-worn recorders into GPS fixes, and those fixes into
// JSON lines, GPX 1.1 and GeoJSON tracks.
//
// Pure: every entry point takes bytes or values and returns values. Reading the log off the
// recorder and writing the track beside the evidence belong to the caller.
//
// The pipeline: `NMEAParser.parse(_:)` gives an `NMEALog` (typed sentences and statistics of what
// was refused and why); `FixAssembler` groups a log's sentences into epochs and gives one
// `GPSFix` per epoch with a valid position (see its doc comment for the date rules and for how
// the result differs from GPSBabel's); `JSONLinesWriter`, `GPXWriter` and `GeoJSONWriter` write
// fixes as text.
