import Foundation
import Journal
import TestSupport
import Testing

func temporaryDirectory() throws -> String {
    try TemporaryDirectory("journal").url.path
}

@Suite struct JournalTests {
    @Test func aSessionSurvivesReopeningTheFile() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/journal.sqlite"
        do {
            let j = try Journal(path: path)
            let s = try j.openSession(serial: "A100001", bay: "1-1.1", bagName: "A100001_010001_20261126T081500Z", startedUTC: "2026-11-26T08:15:00.000Z")
            try j.put(Journal.File(sessionId: s.id, recordingId: 7, size: 1000, deviceSHA256: [1, 2], bagPath: "data/a.mp4"))
            try j.setDurableOffset(session: s.id, recording: 7, 512)
        }
        let j = try Journal(path: path)
        let s = try #require(try j.unfinishedSession(serial: "A100001"))
        #expect(s.bagName == "A100001_010001_20261126T081500Z")
        let files = try j.files(session: s.id)
        #expect(files.count == 1 && files[0].durableOffset == 512 && files[0].state == .pending && files[0].deviceSHA256 == [1, 2])
        #expect(try j.unfinishedSession(serial: "A100002") == nil)
        #expect(try j.durableOffset(session: s.id, recording: 7) == 512)
        #expect(try j.durableOffset(session: s.id, recording: 8) == 0)
        #expect(try j.durableOffset(session: s.id + 1, recording: 7) == 0)
    }

    @Test func committingABagFinalizesTheSessionAndFillsTheLedger() throws {
        let j = try Journal(path: try temporaryDirectory() + "/j.sqlite")
        let s = try j.openSession(serial: "A100001", bay: "b", bagName: "bag1", startedUTC: "t0")
        let entry = Journal.LedgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: nil, sha256: [9],
                                        bagName: "bag1", quarantined: false, ingestedUTC: "t1")
        try j.commitBag(session: s.id, entries: [entry], endedUTC: "t1")
        #expect(try j.unfinishedSession(serial: "A100001") == nil)
        #expect(try j.ledgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: nil) == entry)
        // The key includes size and device hash: a reused id with new content is not "ingested".
        #expect(try j.ledgerEntry(serial: "A100001", recordingId: 7, size: 1001, deviceSHA256: nil) == nil)
        #expect(try j.ledgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: [1]) == nil)
        try j.markReleased(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: nil, releasedUTC: "t2")
        #expect(try j.ledger(serial: "A100001").first?.releasedUTC == "t2")
        #expect(try j.sessions().first?.state == .finalized)
    }

    @Test func aFileRowIsReplacedNotDuplicated() throws {
        let j = try Journal(path: try temporaryDirectory() + "/j.sqlite")
        let s = try j.openSession(serial: "A100001", bay: "b", bagName: "bag", startedUTC: "t0")
        var f = Journal.File(sessionId: s.id, recordingId: 1, size: 10, deviceSHA256: nil, bagPath: "data/x")
        try j.put(f)
        f.state = .quarantined
        f.sha256 = [7]
        try j.put(f)
        #expect(try j.files(session: s.id) == [f])
    }

    @Test func twoSessionsCannotShareABagName() throws {
        let j = try Journal(path: try temporaryDirectory() + "/j.sqlite")
        _ = try j.openSession(serial: "A100001", bay: "b", bagName: "same", startedUTC: "t0")
        #expect(throws: JournalError.self) { _ = try j.openSession(serial: "A100002", bay: "b", bagName: "same", startedUTC: "t0") }
    }

    @Test func aNewerSchemaIsRefusedWithAClearError() throws {
        let path = try temporaryDirectory() + "/j.sqlite"
        _ = try Journal(path: path)
        let python = try run("/usr/bin/env", ["python3", "-c", "import sqlite3; c = sqlite3.connect('\(path)'); c.execute('PRAGMA user_version = 99'); c.commit()"],
                             mergingErrors: true)
        #expect(python.status == 0, "\(python.output)")
        #expect { _ = try Journal(path: path) } throws: { ($0 as? JournalError)?.description.contains("schema version 99") == true }
    }

    /// A journal written by the schema-3 gateway (whose file states were pending, staged and
    /// quarantined) keeps its rows and takes incomplete copies after the upgrade.
    @Test func aSchema3JournalIsUpgradedKeepingItsFiles() throws {
        let path = try temporaryDirectory() + "/j.sqlite"
        let script = """
        import sqlite3; c = sqlite3.connect('\(path)')
        c.executescript('''
        CREATE TABLE session (id INTEGER PRIMARY KEY, serial TEXT NOT NULL, bay TEXT NOT NULL, bag_name TEXT NOT NULL UNIQUE,
          started_utc TEXT NOT NULL, ended_utc TEXT, state TEXT NOT NULL CHECK (state IN ('open', 'finalized', 'failed')),
          meta TEXT NOT NULL DEFAULT '{}');
        CREATE TABLE session_file (session_id INTEGER NOT NULL REFERENCES session(id), recording_id INTEGER NOT NULL,
          size INTEGER NOT NULL, device_sha256 BLOB, bag_path TEXT NOT NULL, durable_offset INTEGER NOT NULL DEFAULT 0,
          state TEXT NOT NULL CHECK (state IN ('pending', 'staged', 'quarantined')), sha256 BLOB,
          rereads INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (session_id, recording_id));
        CREATE TABLE ledger (serial TEXT NOT NULL, recording_id INTEGER NOT NULL, size INTEGER NOT NULL,
          device_sha256 BLOB NOT NULL, sha256 BLOB NOT NULL, bag_name TEXT NOT NULL, quarantined INTEGER NOT NULL,
          ingested_utc TEXT NOT NULL, released_utc TEXT, PRIMARY KEY (serial, recording_id, size, device_sha256));
        CREATE TABLE forward_object (bag_name TEXT NOT NULL, path TEXT NOT NULL, ordinal INTEGER NOT NULL, size INTEGER NOT NULL,
          sha256 BLOB NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_utc TEXT,
          last_error TEXT, verified_utc TEXT, upload_id TEXT, PRIMARY KEY (bag_name, path));
        INSERT INTO session (id, serial, bay, bag_name, started_utc, state) VALUES (1, 'A100001', 'b', 'bag1', 't0', 'open');
        INSERT INTO session_file (session_id, recording_id, size, bag_path, durable_offset, state) VALUES (1, 7, 1000, 'data/a', 512, 'pending');
        PRAGMA user_version = 3;
        ''')
        """
        let python = try run("/usr/bin/env", ["python3", "-c", script], mergingErrors: true)
        #expect(python.status == 0, "\(python.output)")
        let j = try Journal(path: path)
        let s = try #require(try j.unfinishedSession(serial: "A100001"))
        var file = try #require(try j.files(session: s.id).first)
        #expect(file.recordingId == 7 && file.durableOffset == 512 && file.state == .pending)
        file.state = .incomplete
        try j.put(file)
        #expect(try j.files(session: s.id).first?.state == .incomplete)
    }

    @Test func anUnwritableLocationNamesThePath() {
        #expect { _ = try Journal(path: "/nonexistent-dir/j.sqlite") } throws: {
            ($0 as? JournalError)?.description.contains("/nonexistent-dir/j.sqlite") == true
        }
    }
}

@Suite struct ForwardQueueJournalTests {
    @Test func unfinishedOnlyLeavesOutBagsWhoseEveryObjectIsVerified() throws {
        let j = try Journal(path: try temporaryDirectory() + "/j.sqlite")
        func object(_ bag: String, _ path: String, _ ordinal: Int) -> Journal.ForwardObject {
            Journal.ForwardObject(bagName: bag, path: path, ordinal: ordinal, size: 1, sha256: [1])
        }
        try j.enqueue([object("old", "data/a", 0), object("old", "bagit.txt", 1), object("new", "data/b", 0), object("new", "bagit.txt", 1)], queuedUTC: "2026-01-01T00:00:00Z")
        for path in ["data/a", "bagit.txt"] {
            try j.updateForward(bag: "old", path: path, state: .verified, attempts: 1, nextAttemptUTC: nil, lastError: nil, verifiedUTC: "x")
        }
        try j.updateForward(bag: "new", path: "data/b", state: .verified, attempts: 1, nextAttemptUTC: nil, lastError: nil, verifiedUTC: "x")
        // The unfinished bag comes whole, verified objects included (the schedule needs them).
        #expect(try j.forwardObjects(unfinishedOnly: true).map { "\($0.bagName)/\($0.path)" } == ["new/data/b", "new/bagit.txt"])
        #expect(try j.forwardObjects().count == 4)
        #expect(try j.forwardObjects(bag: "old", unfinishedOnly: true).isEmpty)
    }
}
