import Foundation
import Journal
import TestSupport
import Testing

/// A journal file made by Python's sqlite3 from `sql` (an older version's tables and rows, not
/// made by this code), in a fresh directory named after `name`; its path.
func olderJournal(_ sql: String, _ name: String) throws -> String {
    let path = try TemporaryDirectory(name).url.path + "/journal.sqlite"
    let made = try run("/usr/bin/env", ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                                        path, sql], mergingErrors: true)
    try #require(made.status == 0, "python3 sqlite3: \(made.output)")
    return path
}

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
        let path = try olderJournal(Self.version4, "journal-v4")

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
    /// Version 5's tables (versions 1 to 5 applied in order), without rows.
    static let version5Tables = """
    CREATE TABLE session (id INTEGER PRIMARY KEY, serial TEXT NOT NULL, bay TEXT NOT NULL, bag_name TEXT NOT NULL UNIQUE,
      started_utc TEXT NOT NULL, ended_utc TEXT, state TEXT NOT NULL CHECK (state IN ('open', 'finalized', 'failed')),
      meta TEXT NOT NULL DEFAULT '{}', bag_audited INTEGER NOT NULL DEFAULT 1);
    CREATE INDEX session_serial_state ON session(serial, state);
    CREATE TABLE forward_object (bag_name TEXT NOT NULL, path TEXT NOT NULL, ordinal INTEGER NOT NULL, size INTEGER NOT NULL,
      sha256 BLOB NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'verified', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_utc TEXT, last_error TEXT, verified_utc TEXT, upload_id TEXT, PRIMARY KEY (bag_name, path));
    CREATE TABLE session_file (session_id INTEGER NOT NULL REFERENCES session(id), recording_id INTEGER NOT NULL, size INTEGER NOT NULL,
      device_sha256 BLOB, bag_path TEXT NOT NULL, durable_offset INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL CHECK (state IN ('pending', 'staged', 'quarantined', 'incomplete')), sha256 BLOB,
      rereads INTEGER NOT NULL DEFAULT 0, source_key BLOB NOT NULL DEFAULT x'', PRIMARY KEY (session_id, recording_id));
    CREATE TABLE ledger (serial TEXT NOT NULL, recording_id INTEGER NOT NULL, size INTEGER NOT NULL, device_sha256 BLOB NOT NULL,
      source_key BLOB NOT NULL DEFAULT x'', sha256 BLOB NOT NULL, bag_name TEXT NOT NULL, quarantined INTEGER NOT NULL,
      ingested_utc TEXT NOT NULL, released_utc TEXT, PRIMARY KEY (serial, recording_id, size, device_sha256, source_key));
    """

    /// Version 5's tables exactly as the gateway of that version left them (versions 1 to 5
    /// applied in order): one recorder with an open, interrupted session holding a partly staged
    /// file, and one finalized session.
    static let version5 = version5Tables + """
    INSERT INTO session VALUES (1, 'MSD0001', '1-1.2', 'MSD0001_000000_20261205T081500Z', '2026-12-05T08:15:00.000Z',
      '2026-12-05T08:20:00.000Z', 'finalized', '{}', 1);
    INSERT INTO session VALUES (2, 'MSD0001', '1-1.3', 'MSD0001_000000_20261206T081500Z', '2026-12-06T08:15:00.000Z',
      NULL, 'open', '{"docks":[]}', 1);
    INSERT INTO session_file VALUES (2, 9, 5000, NULL, 'data/DCIM/CLIP0001.MP4', 4096, 'pending', NULL, 0, x'0a0b');
    INSERT INTO ledger VALUES ('MSD0001', 8, 1234, x'', x'0c0d', x'aabb', 'MSD0001_000000_20261205T081500Z', 0,
      '2026-12-05T08:20:00.000Z', NULL);
    PRAGMA user_version = 5;
    """

    /// Version 6 keys a session by its volume: the open session of a version-5 journal is the
    /// recorder's one implicit volume's (the empty key) and is continued as before, with its file
    /// and durable offset; a session of a named volume is another one, found only by its key.
    @Test func aVersion5JournalsOpenSessionIsTheImplicitVolumes() throws {
        let path = try olderJournal(Self.version5, "journal-v5")

        let j = try Journal(path: path)
        let open = try #require(try j.unfinishedSession(serial: "MSD0001"))
        #expect(open.id == 2 && open.volume == "" && open.bagName == "MSD0001_000000_20261206T081500Z" && open.meta == #"{"docks":[]}"#)
        let files = try j.files(session: open.id)
        #expect(files.count == 1 && files.first?.durableOffset == 4096 && files.first?.sourceKey == [0x0A, 0x0B])
        #expect(try j.unfinishedSession(serial: "MSD0001", volume: "MBR-1@2048:1111AAAA") == nil)
        #expect(try j.sessions().map(\.volume) == ["", ""])
        #expect(try j.ledgerEntry(serial: "MSD0001", recordingId: 8, size: 1234, deviceSHA256: nil, sourceKey: [0x0C, 0x0D])?.sha256 == [0xAA, 0xBB])

        // Two volumes of one recorder, each with an open session of its own beside the old one.
        let first = try j.openSession(serial: "MSD0001", bay: "1-1.2", bagName: "b_v1", startedUTC: "t1", volume: "MBR-1@2048:1111AAAA")
        let second = try j.openSession(serial: "MSD0001", bay: "1-1.2", bagName: "b_v2", startedUTC: "t1", volume: "MBR-2@206848:2222BBBB")
        #expect(try j.unfinishedSession(serial: "MSD0001", volume: "MBR-1@2048:1111AAAA")?.id == first.id)
        #expect(try j.unfinishedSession(serial: "MSD0001", volume: "MBR-2@206848:2222BBBB")?.id == second.id)
        #expect(try j.unfinishedSession(serial: "MSD0001")?.id == 2)
        #expect(try j.unfinishedSessions(serial: "MSD0001").map(\.id) == [2, first.id, second.id])
        try j.commitBag(session: first.id, entries: [], endedUTC: "t2")
        #expect(try j.unfinishedSession(serial: "MSD0001", volume: "MBR-1@2048:1111AAAA") == nil)
        #expect(try j.openSessions().map(\.volume) == ["", "MBR-2@206848:2222BBBB"])

        // The migrated file opens again at the current version, keys kept.
        let again = try Journal(path: path)
        #expect(try again.unfinishedSession(serial: "MSD0001", volume: "MBR-2@206848:2222BBBB")?.bagName == "b_v2")
    }
}

/// Version 9 keeps each file's catalog listing in its row: a version-8 journal (made here with
/// Python's sqlite3 from that version's SQL, not by this code) has them as `entries` in the
/// session's meta, keyed by recording id with the path as hex; opened under version 9, every
/// file has its listing and the meta keeps the rest of its story without them.
@Suite struct JournalListingMigrationTests {
    /// Version 5's tables, then what the steps of versions 6 to 8 ran (the session's volume, the
    /// forward order, the vendor dance's memory).
    static let version8 = JournalMigrationTests.version5Tables + """
    ALTER TABLE session ADD COLUMN volume TEXT NOT NULL DEFAULT '';
    DROP INDEX IF EXISTS session_serial_state;
    CREATE INDEX session_serial_volume_state ON session(serial, volume, state);
    CREATE TABLE forward_bag (bag_name TEXT PRIMARY KEY, queued_utc TEXT NOT NULL, important INTEGER NOT NULL DEFAULT 0, front_rank INTEGER);
    CREATE TABLE password_refusal (recorder TEXT PRIMARY KEY, family TEXT NOT NULL, bay TEXT NOT NULL, refused_utc TEXT NOT NULL);
    CREATE TABLE recorder_volumes (recorder TEXT PRIMARY KEY, volumes TEXT NOT NULL, seen_utc TEXT NOT NULL);
    INSERT INTO session VALUES (1, 'A100001', '1-1.1', 'A100001_010001_20261205T081500Z', '2026-12-05T08:15:00.000Z', NULL, 'open',
      '{"anomalies":[{"code":"resumed","detail":"x"}],"docks":[{"bay":"1-1.1","startUTC":"2026-12-05T08:15:00.000Z"}],"entries":{"7":{"endMilliseconds":1764922560000,"important":true,"kind":"video","pathHex":"4443494d2fe5bd95e5838f2e4d5034","sequence":12,"startMilliseconds":1764922500000},"8":{"endMilliseconds":1764922620000,"important":false,"kind":"gps-log","pathHex":"475053FF2e4c4f47","sequence":13,"startMilliseconds":1764922560000},"99":{"endMilliseconds":0,"important":true,"kind":"video","pathHex":"00","sequence":0,"startMilliseconds":0}}}',
      1, '');
    INSERT INTO session VALUES (2, 'A100002', '1-1.2', 'A100002_010002_20261205T081500Z', '2026-12-05T08:15:00.000Z', NULL, 'open',
      'not json', 1, '');
    INSERT INTO session_file VALUES (1, 7, 1000, x'0102', 'data/DCIM/录像.MP4', 1000, 'staged', x'aabb', 0, x'');
    INSERT INTO session_file VALUES (1, 8, 50, NULL, 'data/GPS_.LOG', 0, 'pending', NULL, 0, x'');
    INSERT INTO session_file VALUES (1, 9, 60, NULL, 'data/none', 0, 'pending', NULL, 0, x'');
    INSERT INTO session_file VALUES (2, 1, 70, NULL, 'data/x', 0, 'pending', NULL, 0, x'');
    INSERT INTO session VALUES (3, 'A100003', '1-1.3', 'A100003_010003_20261205T081500Z', '2026-12-05T08:15:00.000Z', NULL, 'open',
      '{"entries":{"1":"not an object","2":[1,2],"03":{"kind":"video","pathHex":"41","sequence":3,"important":true,"startMilliseconds":0,"endMilliseconds":0},"4":{"pathHex":"42"},"5":{"kind":"photo","pathHex":"43","sequence":5,"important":false,"startMilliseconds":1,"endMilliseconds":2}}}',
      1, '');
    INSERT INTO session_file VALUES (3, 1, 1, NULL, 'data/1', 0, 'pending', NULL, 0, x'');
    INSERT INTO session_file VALUES (3, 2, 1, NULL, 'data/2', 0, 'pending', NULL, 0, x'');
    INSERT INTO session_file VALUES (3, 3, 1, NULL, 'data/3', 0, 'pending', NULL, 0, x'');
    INSERT INTO session_file VALUES (3, 4, 1, NULL, 'data/4', 0, 'pending', NULL, 0, x'');
    INSERT INTO session_file VALUES (3, 5, 1, NULL, 'data/5', 0, 'pending', NULL, 0, x'');
    PRAGMA user_version = 8;
    """

    @Test func aVersion8JournalsListingsMoveIntoTheFilesRows() throws {
        let path = try olderJournal(Self.version8, "journal-v8")

        let j = try Journal(path: path)
        let files = try j.files(session: 1)
        #expect(files.map(\.recordingId) == [7, 8, 9])
        #expect(files[0].listing == Journal.Listing(kind: "video", devicePath: Array("DCIM/录像.MP4".utf8), sequence: 12, important: true,
                                                    startMilliseconds: 1_764_922_500_000, endMilliseconds: 1_764_922_560_000))
        // A path that is not UTF-8 keeps its bytes (hex in either case).
        #expect(files[1].listing == Journal.Listing(kind: "gps-log", devicePath: [0x47, 0x50, 0x53, 0xFF, 0x2E, 0x4C, 0x4F, 0x47], sequence: 13,
                                                    important: false, startMilliseconds: 1_764_922_560_000, endMilliseconds: 1_764_922_620_000))
        // A file the meta had no entry for has no listing; an entry with no file (99) is dropped.
        #expect(files[2].listing == nil)
        #expect(files[0].state == .staged && files[0].sha256 == [0xAA, 0xBB] && files[0].durableOffset == 1000)
        #expect(try j.holdsImportant(session: 1))

        // The meta keeps its docks and anomalies, without the entries.
        let meta = try #require(try j.unfinishedSession(serial: "A100001")?.meta)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(meta.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["anomalies", "docks"])
        #expect((object["docks"] as? [[String: Any]])?.first?["bay"] as? String == "1-1.1")

        // A meta that is not JSON is left as it was, and its files have no listing.
        #expect(try j.unfinishedSession(serial: "A100002")?.meta == "not json")
        #expect(try j.files(session: 2).first?.listing == nil)
        #expect(try !j.holdsImportant(session: 2))

        // Entries that are not objects, or have no kind, or a key the old code never wrote ("03"
        // for 3), leave their files without a listing, and stop nothing: the one good entry moves.
        #expect(try j.files(session: 3).map { $0.listing?.kind } == [nil, nil, nil, nil, "photo"])
        #expect(try j.files(session: 3).last?.listing?.devicePath == [0x43])
        #expect(try !j.holdsImportant(session: 3))
        #expect(try j.unfinishedSession(serial: "A100003")?.meta == "{}")

        // Opened again at version 9, nothing moves twice.
        let again = try Journal(path: path)
        #expect(try again.files(session: 1) == files)
    }

    /// `put` writes the listing with the row and replaces it with the row; `files` reads it back.
    @Test func aPutFilesListingIsReadBackAndReplaced() throws {
        let dir = try TemporaryDirectory("journal-listing").url.path
        let j = try Journal(path: dir + "/journal.sqlite")
        let s = try j.openSession(serial: "S", bay: "1-1", bagName: "b", startedUTC: "t")
        let listing = Journal.Listing(kind: "video", devicePath: [0xE5, 0xBD, 0x95, 0x00, 0xFF], sequence: .max, important: false,
                                      startMilliseconds: .min, endMilliseconds: .max)
        var f = Journal.File(sessionId: s.id, recordingId: 3, size: 10, deviceSHA256: nil, bagPath: "data/a", listing: listing)
        try j.put(f)
        #expect(try j.files(session: s.id) == [f])
        #expect(try !j.holdsImportant(session: s.id))
        f.listing?.important = true
        f.state = .staged
        try j.put(f)
        #expect(try j.files(session: s.id) == [f])
        #expect(try j.holdsImportant(session: s.id))
        f.listing = nil
        try j.put(f)
        #expect(try j.files(session: s.id).first?.listing == nil)
    }
}
