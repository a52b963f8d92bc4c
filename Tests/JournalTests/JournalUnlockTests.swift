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

    /// The tables are schema 8: a journal of version 7 gains them (keeping its rows), and
    /// opening twice is fine.
    @Test func aVersion7JournalGainsTheTables() throws {
        let path = try temporaryDirectory() + "/journal.sqlite"
        _ = try Journal(path: path)
        // Back to what a version-7 gateway left: no unlock tables (Python's sqlite3, not ours).
        func sql(_ script: String) throws -> String {
            let python = try run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()
            print(c.execute('PRAGMA user_version').fetchone()[0], *sorted(r[0] for r in c.execute("select name from sqlite_master where type = 'table'")))
            """, path, script], mergingErrors: true)
            #expect(python.status == 0, "\(python.output)")
            return python.output
        }
        #expect(try sql("DROP TABLE password_refusal; DROP TABLE recorder_volumes; PRAGMA user_version = 7;").hasPrefix("7 "))
        let j = try Journal(path: path)
        let after = try sql("")
        // Then on to the current version (9 keeps the listings in the files' rows).
        #expect(after.hasPrefix("\(Journal.schemaVersion) ") && after.contains("password_refusal") && after.contains("recorder_volumes"), "\(after)")
        try j.rememberRecorderVolumes(recorder: "R", ["EXFAT@0:1"], seenUTC: "t")
        #expect(try Journal(path: path).recorderVolumes(recorder: "R") == ["EXFAT@0:1"])
        #expect(Journal.schemaVersion == 9)
    }
}
