import Foundation
import Journal
import TestSupport
import Testing

/// A journal written by the previous schema (version 4, made here with Python's sqlite3 from
/// that version's SQL, not by this code) opens under the current one with its ledger and files
/// intact, and the source key then tells recordings apart.
@Suite struct JournalMigrationTests {
    /// Version 4's tables exactly as the gateway of that version left them (versions 1 to 4
    /// applied in order), one finalized session with one file, one ledger row.
    static let version4 = """
    CREATE TABLE session (id INTEGER PRIMARY KEY, serial TEXT NOT NULL, bay TEXT NOT NULL, bag_name TEXT NOT NULL UNIQUE,
      started_utc TEXT NOT NULL, ended_utc TEXT, state TEXT NOT NULL CHECK (state IN ('open', 'finalized', 'failed')),
      meta TEXT NOT NULL DEFAULT '{}', bag_audited INTEGER NOT NULL DEFAULT 1);
    CREATE INDEX session_serial_state ON session(serial, state);
    CREATE TABLE ledger (serial TEXT NOT NULL, recording_id INTEGER NOT NULL, size INTEGER NOT NULL, device_sha256 BLOB NOT NULL,
      sha256 BLOB NOT NULL, bag_name TEXT NOT NULL, quarantined INTEGER NOT NULL, ingested_utc TEXT NOT NULL, released_utc TEXT,
      PRIMARY KEY (serial, recording_id, size, device_sha256));
    CREATE TABLE forward_object (bag_name TEXT NOT NULL, path TEXT NOT NULL, ordinal INTEGER NOT NULL, size INTEGER NOT NULL,
      sha256 BLOB NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'verified', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_utc TEXT, last_error TEXT, verified_utc TEXT, upload_id TEXT, PRIMARY KEY (bag_name, path));
    CREATE TABLE session_file (session_id INTEGER NOT NULL REFERENCES session(id), recording_id INTEGER NOT NULL, size INTEGER NOT NULL,
      device_sha256 BLOB, bag_path TEXT NOT NULL, durable_offset INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL CHECK (state IN ('pending', 'staged', 'quarantined', 'incomplete')), sha256 BLOB,
      rereads INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (session_id, recording_id));
    INSERT INTO session VALUES (1, 'A100001', '1-1.1', 'A100001_010001_20261126T081500Z', '2026-11-26T08:15:00.000Z',
      '2026-11-26T08:20:00.000Z', 'finalized', '{}', 1);
    INSERT INTO session_file VALUES (1, 7, 1000, x'0102', 'data/a.mp4', 1000, 'staged', x'aabb', 0);
    INSERT INTO ledger VALUES ('A100001', 7, 1000, x'0102', x'aabb', 'A100001_010001_20261126T081500Z', 0,
      '2026-11-26T08:20:00.000Z', '2026-11-26T08:21:00.000Z');
    PRAGMA user_version = 4;
    """

    @Test func aVersion4JournalKeepsItsLedger() throws {
        let dir = try TemporaryDirectory("journal-v4").url.path
        let path = dir + "/journal.sqlite"
        let made = try run("/usr/bin/env", ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                                            path, Self.version4], mergingErrors: true)
        try #require(made.status == 0, "python3 sqlite3: \(made.output)")

        let j = try Journal(path: path)
        let ledger = try j.ledger(serial: "A100001")
        #expect(ledger.count == 1)
        #expect(ledger.first?.recordingId == 7 && ledger.first?.size == 1000 && ledger.first?.deviceSHA256 == [1, 2])
        #expect(ledger.first?.sha256 == [0xAA, 0xBB] && ledger.first?.releasedUTC == "2026-11-26T08:21:00.000Z")
        #expect(ledger.first?.sourceKey == nil)
        // The old row is found as before: a family without source keys asks with none.
        let found = try j.ledgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: [1, 2])
        #expect(found?.bagName == "A100001_010001_20261126T081500Z")
        // A recording with the same id, size and device hash but another source key is another
        // recording: not in the ledger, and once committed it stands beside the old one.
        #expect(try j.ledgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: [1, 2], sourceKey: [9]) == nil)
        let files = try j.files(session: 1)
        #expect(files.count == 1 && files[0].state == .staged && files[0].sourceKey == nil && files[0].durableOffset == 1000)

        let s = try j.openSession(serial: "A100001", bay: "1-1.1", bagName: "A100001_010001_20261127T081500Z", startedUTC: "2026-11-27T08:15:00.000Z")
        try j.put(Journal.File(sessionId: s.id, recordingId: 7, size: 1000, deviceSHA256: [1, 2], bagPath: "data/a.mp4", sourceKey: [9]))
        #expect(try j.files(session: s.id).first?.sourceKey == [9])
        try j.commitBag(session: s.id, entries: [Journal.LedgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: [1, 2],
                                                                      sha256: [0xCC], bagName: s.bagName, quarantined: false,
                                                                      ingestedUTC: "2026-11-27T08:20:00.000Z", sourceKey: [9])],
                        endedUTC: "2026-11-27T08:20:00.000Z")
        #expect(try j.ledger(serial: "A100001").count == 2)
        #expect(try j.ledgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: [1, 2], sourceKey: [9])?.sha256 == [0xCC])
        try j.markReleased(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: [1, 2], sourceKey: [9], releasedUTC: "2026-11-27T08:21:00.000Z")
        #expect(try j.ledgerEntry(serial: "A100001", recordingId: 7, size: 1000, deviceSHA256: [1, 2], sourceKey: [9])?.releasedUTC != nil)

        // And the migrated file opens again at the current version.
        let again = try Journal(path: path)
        #expect(try again.ledger(serial: "A100001").count == 2)
    }
}
