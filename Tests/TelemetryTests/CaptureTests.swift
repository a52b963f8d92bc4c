import Foundation
import Testing
@testable import Telemetry

/// How GPSBabel's reading of a capture relates to ours (see `FixAssembler`, "Against GPSBabel").
enum GPSBabelRelation: Sendable {
    /// Point for point: the same count, the same times to the millisecond, positions within
    /// 1e-6 degree, altitudes within 1 mm and present on the same points.
    case samePoints
    /// The receiver sends RMC before GGA in each epoch, so GPSBabel's point 0 is the first RMC
    /// (our fix 0's time and position, no altitude) and its point k >= 1 has our fix k's time
    /// with our fix k - 1's position and altitude. The same count: GPSBabel never writes the
    /// last epoch's GGA.
    case positionsOneEpochLate
}

/// What one real capture must give. The sentence counts were checked against `grep -c` of the
/// address fields; the refusals are explained beside each entry.
struct CaptureExpectation: Sendable, CustomTestStringConvertible {
    var file: String
    var accepted: [NMEASentenceType: Int]
    var rejected: [NMEARejection.Reason: Int]
    var proprietary: Int
    var overlong: Int
    var fixes: Int
    var relation: GPSBabelRelation

    var testDescription: String { file }
}

@Suite(.enabled(if: Captures.available, Captures.skipReason))
struct CaptureTests {
    static let expectations: [CaptureExpectation] = [
        // GNGNS is not decoded (5); PSRFEPE is proprietary. The first three epochs have no fix.
        CaptureExpectation(file: "beidou-gb.log", accepted: [.gga: 5, .gsa: 7, .gsv: 41, .rmc: 5],
                           rejected: [.unknownType: 5], proprietary: 5, overlong: 0, fixes: 2, relation: .samePoints),
        // The first epoch is RMC + ZDA only; then GGA leads each epoch; the last ten have no fix.
        CaptureExpectation(file: "bu353-glonass.log", accepted: [.gga: 18, .gsa: 38, .gsv: 18, .rmc: 19, .zda: 19],
                           rejected: [:], proprietary: 0, overlong: 0, fixes: 9, relation: .samePoints),
        CaptureExpectation(file: "garmin15x.log", accepted: [.gga: 7, .gsa: 7, .gsv: 21, .rmc: 7],
                           rejected: [:], proprietary: 15, overlong: 0, fixes: 7, relation: .positionsOneEpochLate),
        // $POLYN has no checksum (3). Before its first fix the receiver sends latitude
        // "8960.000000", 89 degrees 60 minutes, in 6 GGA and 6 RMC: refused as malformed.
        // The 11 PMTKCHN lines are over 82 characters.
        CaptureExpectation(file: "mtk-3301.log", accepted: [.gga: 5, .gsa: 3, .gsv: 8, .rmc: 5, .vtg: 11],
                           rejected: [.missingChecksum: 3, .malformedField: 12], proprietary: 12, overlong: 11, fixes: 4,
                           relation: .samePoints),
        // Every sentence is over 82 characters (eight-decimal minutes); all parse.
        CaptureExpectation(file: "nmea-fuzzy-cases.log", accepted: [.gga: 14, .rmc: 14],
                           rejected: [:], proprietary: 0, overlong: 28, fixes: 14, relation: .samePoints),
        // GPGRS and GPGST are not decoded (16 each).
        CaptureExpectation(file: "quectel-L70.log", accepted: [.gga: 16, .gsa: 16, .gsv: 12, .rmc: 16, .zda: 15],
                           rejected: [.unknownType: 32], proprietary: 8, overlong: 0, fixes: 16, relation: .positionsOneEpochLate),
    ]

    static func read(_ e: CaptureExpectation) throws -> (NMEALog, FixAssembly) {
        let log = NMEAParser().parse(try Captures.bytes(e.file))
        return (log, log.assembleFixes())
    }

    @Test func everyCaptureInTheFolderHasAnExpectation() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Captures.directory!.path).filter { $0.hasSuffix(".log") }
        #expect(Set(names) == Set(Self.expectations.map(\.file)))
    }

    @Test(arguments: expectations)
    func parsesAsExpected(_ e: CaptureExpectation) throws {
        let (log, assembly) = try Self.read(e)
        let s = log.statistics
        #expect(s.sentencesByType == e.accepted)
        #expect(s.rejectedByReason == e.rejected, "\(s.firstRejections)")
        #expect(s.proprietaryCount == e.proprietary)
        #expect(s.overlongSentences == e.overlong)
        #expect(s.garbageLines == 0 && s.blankLines == 0)
        #expect(s.commentLines > 0, "each capture starts with # lines")
        #expect(assembly.fixes.count == e.fixes)
        #expect(assembly.undatedFixesDropped == 0)
        #expect(assembly.fixes.allSatisfy { $0.mode != nil })
        // A fix with an altitude had a valid GGA, which always carries satellites and HDOP in
        // these captures. (bu353's first fix is RMC + ZDA only: its GSAs came before the first
        // timed sentence of the log, so that fix has neither.)
        #expect(assembly.fixes.filter { $0.altitude != nil }.allSatisfy { $0.satellites != nil && $0.hdop != nil })
    }

    /// The relation the table states must follow from the sentence order, as the rule in
    /// `FixAssembler` says: an epoch where RMC comes before GGA is what shifts GPSBabel.
    @Test(arguments: expectations)
    func relationFollowsFromSentenceOrder(_ e: CaptureExpectation) throws {
        let (log, _) = try Self.read(e)
        var rmcFirstEpochs = 0
        var lastTime: NMEATimeOfDay?
        var sawRMC = false
        var sawGGA = false
        for sentence in log.sentences {
            let time: NMEATimeOfDay?
            switch sentence {
            case .rmc(let s): time = s.time
            case .gga(let s): time = s.time
            case .zda(let s): time = s.time
            default: continue
            }
            if time != lastTime {
                lastTime = time
                sawRMC = false
                sawGGA = false
            }
            if case .rmc = sentence { sawRMC = true }
            if case .gga = sentence {
                if sawRMC && !sawGGA { rmcFirstEpochs += 1 }
                sawGGA = true
            }
        }
        switch e.relation {
        case .samePoints: #expect(rmcFirstEpochs == 0)
        case .positionsOneEpochLate: #expect(rmcFirstEpochs == e.fixes)
        }
    }

    @Test(.enabled(if: GPSBabel.available, "skipped: gpsbabel is not installed"), arguments: expectations)
    func agreesWithGPSBabelAsDocumented(_ e: CaptureExpectation) throws {
        let (_, assembly) = try Self.read(e)
        let ours = assembly.fixes
        let theirs = try GPSBabel.trackPoints(nmeaFile: Captures.url(e.file))
        try #require(theirs.count == ours.count, "GPSBabel \(theirs.count) points, ours \(ours.count)")
        func samePosition(_ p: GPXPoint, _ f: GPSFix) -> Bool {
            abs(p.latitude - f.latitude) <= 1e-6 && abs(p.longitude - f.longitude) <= 1e-6
        }
        func sameAltitude(_ p: GPXPoint, _ f: GPSFix) -> Bool {
            switch (p.elevation, f.altitude) {
            case (nil, nil): true
            case let (a?, b?): abs(a - b) <= 1e-3
            default: false
            }
        }
        for k in ours.indices {
            #expect(theirs[k].time == ours[k].time, "point \(k)")
        }
        switch e.relation {
        case .samePoints:
            for k in ours.indices {
                #expect(samePosition(theirs[k], ours[k]), "point \(k): GPSBabel \(theirs[k]), ours \(ours[k])")
                #expect(sameAltitude(theirs[k], ours[k]), "point \(k)")
            }
        case .positionsOneEpochLate:
            #expect(samePosition(theirs[0], ours[0]))
            #expect(theirs[0].elevation == nil && ours[0].altitude != nil)
            for k in ours.indices.dropFirst() {
                #expect(samePosition(theirs[k], ours[k - 1]), "point \(k): GPSBabel \(theirs[k]), our fix \(k - 1) \(ours[k - 1])")
                #expect(sameAltitude(theirs[k], ours[k - 1]), "point \(k)")
            }
            // The receiver moved, so the relation above is not true by accident.
            #expect(ours.indices.dropFirst().contains { !samePosition(theirs[$0], ours[$0]) })
        }
    }

    @Test(.enabled(if: GPSBabel.available, "skipped: gpsbabel is not installed"), arguments: expectations)
    func gpsbabelReadsOurGPXBack(_ e: CaptureExpectation) throws {
        let (_, assembly) = try Self.read(e)
        let points = try GPSBabel.readBack(gpx: GPXWriter(trackName: e.file).write(assembly.fixes))
        #expect(points.count == assembly.fixes.count)
        for (p, f) in zip(points, assembly.fixes) {
            #expect(p.time == f.time)
            #expect(abs(p.latitude - f.latitude) <= 1e-7 && abs(p.longitude - f.longitude) <= 1e-7)
        }
    }

    @Test(arguments: expectations)
    func ourTracksParseAsXMLAndJSON(_ e: CaptureExpectation) throws {
        let (_, assembly) = try Self.read(e)
        let gpx = try GPXReader.read(Data(GPXWriter(trackName: e.file).write(assembly.fixes).utf8)).get()
        #expect(gpx.points.count == assembly.fixes.count)
        #expect(gpx.points.map(\.time) == assembly.fixes.map(\.time))
        #expect(gpx.points.map(\.satellites) == assembly.fixes.map(\.satellites))

        let lines = JSONLinesWriter().write(assembly.fixes).split(separator: "\n")
        #expect(lines.count == assembly.fixes.count)
        for line in lines {
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
        let geo = try JSONSerialization.jsonObject(with: Data(GeoJSONWriter(includePoints: true).write(assembly.fixes).utf8))
        #expect(((geo as? [String: Any])?["features"] as? [Any])?.count == assembly.fixes.count + 1)
    }
}
