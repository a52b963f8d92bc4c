import FuzzSupport
import Telemetry

/// The NMEA parser and fix assembler on arbitrary captures, with checksums required and
/// optional. Checks the accounting `NMEAParser` promises (every line and sentence counted
/// exactly once), positions in range, determinism, and that the track writers take the fixes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    for requireChecksum in [true, false] {
        let parser = NMEAParser(requireChecksum: requireChecksum)
        let log = parser.parse(bytes)
        let s = log.statistics
        invariant(s.lines == s.blankLines + s.commentLines + s.sentenceLines + s.garbageLines, "line accounting: \(s)")
        invariant(s.acceptedCount + s.proprietaryCount + s.rejectedCount == s.sentencesSeen + s.garbageLines + s.garbageFragments,
                  "sentence accounting: \(s)")
        invariant(s.acceptedCount == log.sentences.count, "accepted \(s.acceptedCount), kept \(log.sentences.count)")
        invariant(s.sentencesByTalker.values.reduce(0, +) == log.sentences.count, "talker accounting: \(s)")
        invariant(s.firstRejections.count == min(s.rejectedCount, NMEAStatistics.firstRejectionLimit), "first rejections: \(s)")
        invariant(s.unknownTypesByAddress.values.reduce(0, +) == s.rejected(.unknownType), "unknown types: \(s)")
        invariant(parser.parse(bytes) == log, "the same bytes gave a different log")

        let assembly = log.assembleFixes()
        invariant(assembly.epochs == assembly.fixes.count + assembly.epochsWithoutPosition + assembly.undatedFixesDropped,
                  "epoch accounting: \(assembly)")
        for fix in assembly.fixes {
            invariant((-90...90).contains(fix.latitude) && (-180...180).contains(fix.longitude), "position out of range: \(fix)")
        }
        _ = JSONLinesWriter().write(assembly.fixes)
        _ = GPXWriter(trackName: String(decoding: bytes.prefix(16), as: UTF8.self)).write(assembly.fixes)
        _ = GeoJSONWriter(includePoints: true).write(assembly.fixes)
    }
    return 0
}
