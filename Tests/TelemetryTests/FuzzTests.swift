import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import Testing
@testable import Telemetry

/// No input may make the parser, the assembler or a writer trap, and the accounting
/// invariants hold for every input. Deterministic seeds: a failure reproduces.
@Suite struct FuzzTests {
    /// Real-looking lines to mutate: one of each type, plus the captures when they are present.
    static let seedLines: [String] = {
        var lines = [
            nmea("GPRMC,081411.000,A,5541.1955,N,03737.2872,E,0.60,301.29,260514,,,A"),
            nmea("GPGGA,081412.000,5541.1956,N,03737.2877,E,1,5,4.87,66.2,M,14.5,M,,"),
            nmea("GNGSA,A,3,03,19,27,13,,,,,,,,,4.97,4.87,1.00"),
            nmea("GPGSV,3,1,11,02,60,319,36,05,77,132,38,11,29,052,29,12,46,186,46"),
            nmea("GPVTG,0.00,T,,M,0.039,N,0.072,K,A"),
            nmea("GPZDA,081411.000,26,05,2014,,"),
            nmea("GPGLL,4916.45,N,12311.12,W,225444,A,A"),
            nmea("GPTXT,01,01,02,ANTSTATUS=OK"),
            nmea("PMTK001,320,2"),
            "# comment",
        ]
        if let dir = Captures.directory,
           let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path).filter({ $0.hasSuffix(".log") }).sorted() {
            for name in names {
                if let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) {
                    lines += text.split(whereSeparator: \.isNewline).map(String.init)
                }
            }
        }
        return lines
    }()

    /// Checks everything that must hold for any input, then runs the rest of the pipeline.
    func check(_ bytes: [UInt8], requireChecksum: Bool = true, _ context: @autoclosure () -> String) {
        let log = NMEAParser(requireChecksum: requireChecksum).parse(bytes)
        let s = log.statistics
        #expect(s.lines == s.blankLines + s.commentLines + s.sentenceLines + s.garbageLines, "\(context())")
        #expect(s.acceptedCount + s.proprietaryCount + s.rejectedCount == s.sentencesSeen + s.garbageLines + s.garbageFragments, "\(context())")
        #expect(s.acceptedCount == log.sentences.count, "\(context())")
        #expect(s.sentencesByTalker.values.reduce(0, +) == log.sentences.count, "\(context())")
        #expect(s.firstRejections.count == min(s.rejectedCount, NMEAStatistics.firstRejectionLimit), "\(context())")
        #expect(s.unknownTypesByAddress.values.reduce(0, +) == s.rejected(.unknownType), "\(context())")

        let assembly = log.assembleFixes()
        #expect(assembly.epochs == assembly.fixes.count + assembly.epochsWithoutPosition + assembly.undatedFixesDropped, "\(context())")
        for fix in assembly.fixes {
            #expect((-90...90).contains(fix.latitude) && (-180...180).contains(fix.longitude), "\(context())")
        }
        _ = JSONLinesWriter().write(assembly.fixes)
        _ = GPXWriter(trackName: String(decoding: bytes.prefix(16), as: UTF8.self)).write(assembly.fixes)
        _ = GeoJSONWriter(includePoints: true).write(assembly.fixes)
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 0x4E4D_4541)
        // Mostly bytes NMEA is made of, so that random input gets past the first checks.
        let alphabet = Array("$*,.0123456789ABCDEFGNPRSTVWXYZ\r\n#- \0".utf8)
        for iteration in 0..<4000 {
            let length = Int.random(in: 0...300, using: &rng)
            let nmeaLike = iteration % 2 == 0
            let bytes = (0..<length).map { _ in
                nmeaLike ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            check(bytes, requireChecksum: iteration % 3 != 0, "random input \(iteration)")
        }
    }

    @Test func mutatedRealLinesNeverTrap() {
        var rng = SplitMix64(seed: 20_261_126)
        let lines = Self.seedLines
        let specials = Array("$*,.\r\n\0-AV".utf8)
        for iteration in 0..<6000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                var line = Array(lines.randomElement(using: &rng)!.utf8)
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !line.isEmpty {
                    let at = Int.random(in: 0..<line.count, using: &rng)
                    switch Int.random(in: 0..<6, using: &rng) {
                    case 0: line[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
                    case 1: line.remove(at: at)
                    case 2: line.insert(specials.randomElement(using: &rng)!, at: at)
                    case 3: line.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                    case 4: line.removeSubrange(at...)
                    default: line[at] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng)
                    }
                }
                // Half the time re-seal the checksum, so that mutated fields reach the decoders.
                if Bool.random(using: &rng), let dollar = line.firstIndex(of: UInt8(ascii: "$")),
                   let star = line.lastIndex(of: UInt8(ascii: "*")), dollar < star {
                    let body = String(decoding: line[(dollar + 1)..<star], as: UTF8.self)
                    line = Array(line[..<dollar]) + Array(nmea(body).utf8)
                }
                text += line + (Bool.random(using: &rng) ? [0x0D, 0x0A] : [0x0A])
            }
            if Bool.random(using: &rng) { text.removeLast(Int.random(in: 0...min(20, text.count), using: &rng)) }
            check(text, requireChecksum: iteration % 4 != 0, "mutation \(iteration): \(String(decoding: text, as: UTF8.self))")
        }
    }

    @Test func writersNeverTrapOnHandBuiltFixes() {
        var rng = SplitMix64(seed: 7)
        let awkward: [Double] = [.nan, .infinity, -.infinity, 1e300, -1e300, 0, -0.0, 180, -180, 90, -90, 90.0000001, 1e-300,
                                 .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        let times: [Int64] = [.min, .max, 0, -1, 253_402_300_800_000, -62_135_596_800_001]
        for _ in 0..<2000 {
            let fix = GPSFix(time: times.randomElement(using: &rng)!, latitude: awkward.randomElement(using: &rng)!,
                             longitude: awkward.randomElement(using: &rng)!, altitude: awkward.randomElement(using: &rng),
                             speedMetresPerSecond: awkward.randomElement(using: &rng), course: awkward.randomElement(using: &rng),
                             mode: ["3d", "<&>\"'\u{1}", "\u{FFFE}"].randomElement(using: &rng), satellites: [-1, 0, Int.max].randomElement(using: &rng),
                             hdop: awkward.randomElement(using: &rng))
            let jsonl = JSONLinesWriter().write([fix])
            if !jsonl.isEmpty {
                #expect((try? JSONSerialization.jsonObject(with: Data(jsonl.utf8))) != nil, "\(jsonl)")
            }
            let geojson = GeoJSONWriter(includePoints: true).write([fix, fix])
            #expect((try? JSONSerialization.jsonObject(with: Data(geojson.utf8))) != nil, "\(geojson)")
            let gpx = GPXWriter(trackName: fix.mode).write([fix])
            let parser = XMLParser(data: Data(gpx.utf8))
            #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? ""): \(gpx)")
        }
    }
}
