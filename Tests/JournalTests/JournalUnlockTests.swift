import Foundation
import Journal
import TestSupport
import Testing

/// The vendor dance's memory: refused passwords and each recorder's volumes.
@Suite struct JournalUnlockTests {
    @Test func aRefusalSurvivesReopeningUntilCleared() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/journal.sqlite"
        do {
            let j = try Journal(path: path)
            try j.rememberPasswordRefusal(.init(recorder: "A1B2C3D", family: "amba-ascii", bay: "1-1.2", refusedUTC: "2026-12-06T10:00:00.000Z"))
            try j.rememberPasswordRefusal(.init(recorder: "C7C7C7C", family: "amba-ctrl", bay: "1-1.3", refusedUTC: "2026-12-06T09:00:00.000Z"))
        }
        let j = try Journal(path: path)
        #expect(try j.passwordRefusal(recorder: "A1B2C3D")?.bay == "1-1.2")
        #expect(try j.passwordRefusals().map(\.recorder) == ["C7C7C7C", "A1B2C3D"])
        #expect(try j.clearPasswordRefusal(recorder: "A1B2C3D")?.family == "amba-ascii")
        #expect(try j.passwordRefusal(recorder: "A1B2C3D") == nil)
        #expect(try j.clearPasswordRefusal(recorder: "A1B2C3D") == nil)
        #expect(try j.passwordRefusals().count == 1)
    }

    @Test func theLatestRefusalWins() throws {
        let j = try Journal(path: try temporaryDirectory() + "/journal.sqlite")
        try j.rememberPasswordRefusal(.init(recorder: "R", family: "amba-ctrl", bay: "1", refusedUTC: "a"))
        try j.rememberPasswordRefusal(.init(recorder: "R", family: "amba-ctrl", bay: "2", refusedUTC: "b"))
        #expect(try j.passwordRefusals() == [.init(recorder: "R", family: "amba-ctrl", bay: "2", refusedUTC: "b")])
    }

    @Test func volumesAreTheLatestOnes() throws {
        let j = try Journal(path: try temporaryDirectory() + "/journal.sqlite")
        #expect(try j.recorderVolumes(recorder: "R") == nil)
        try j.rememberRecorderVolumes(recorder: "R", ["MBR-1@2048:AAAA0001", "MBR-2@4096:AAAA0002"], seenUTC: "t1")
        #expect(try j.recorderVolumes(recorder: "R") == ["MBR-1@2048:AAAA0001", "MBR-2@4096:AAAA0002"])
        try j.rememberRecorderVolumes(recorder: "R", [], seenUTC: "t2")
        #expect(try j.recorderVolumes(recorder: "R") == [])
    }

    /// The tables are new ones beside schema 6: the version stays, and opening twice is fine.
    @Test func theSchemaVersionStays() throws {
        let path = try temporaryDirectory() + "/journal.sqlite"
        _ = try Journal(path: path)
        _ = try Journal(path: path)
        #expect(Journal.schemaVersion == 6)
    }
}
