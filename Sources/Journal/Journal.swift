import Foundation

/// The gateway's durable memory, in one SQLite file (WAL, synchronous=FULL): dock sessions, the
/// files of each with the offset up to which staging is known to be on disk, and the ledger of
/// what has been ingested from which recorder.
///
/// Guarantees: every method is atomic and durable when it returns; safe to call from any
/// thread (calls are serialised); the ledger, not the recorder, decides what was ingested.
/// Durable offsets may lag the staged bytes, never lead them: callers record an offset only
/// after the bytes before it were fsynced.
public final class Journal: @unchecked Sendable {
    let db: SQLiteConnection
    private let lock = NSLock()

    /// The schema version this code writes (PRAGMA user_version).
    public static let schemaVersion: Int64 = 9

    /// Opens or creates the journal at `path` (its directory must exist).
    public init(path: String) throws(JournalError) {
        db = try SQLiteConnection(path: path)
        try db.execute("PRAGMA journal_mode=WAL")
        try db.execute("PRAGMA synchronous=FULL")
        try db.execute("PRAGMA foreign_keys=ON")
        let version = try db.query("PRAGMA user_version").first?.first?.int ?? 0
        if version > Journal.schemaVersion {
            throw JournalError(operation: "open \(path)", message: "schema version \(version) is newer than this gateway understands (\(Journal.schemaVersion))", code: 0)
        }
        if version < 1 {
            try db.execute("""
            BEGIN;
            CREATE TABLE session (
              id INTEGER PRIMARY KEY,
              serial TEXT NOT NULL,
              bay TEXT NOT NULL,
              bag_name TEXT NOT NULL UNIQUE,
              started_utc TEXT NOT NULL,
              ended_utc TEXT,
              state TEXT NOT NULL CHECK (state IN ('open', 'finalized', 'failed')),
              meta TEXT NOT NULL DEFAULT '{}'
            );
            CREATE INDEX session_serial_state ON session(serial, state);
            CREATE TABLE session_file (
              session_id INTEGER NOT NULL REFERENCES session(id),
              recording_id INTEGER NOT NULL,
              size INTEGER NOT NULL,
              device_sha256 BLOB,
              bag_path TEXT NOT NULL,
              durable_offset INTEGER NOT NULL DEFAULT 0,
              state TEXT NOT NULL CHECK (state IN ('pending', 'staged', 'quarantined')),
              sha256 BLOB,
              rereads INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (session_id, recording_id)
            );
            CREATE TABLE ledger (
              serial TEXT NOT NULL,
              recording_id INTEGER NOT NULL,
              size INTEGER NOT NULL,
              device_sha256 BLOB NOT NULL,
              sha256 BLOB NOT NULL,
              bag_name TEXT NOT NULL,
              quarantined INTEGER NOT NULL,
              ingested_utc TEXT NOT NULL,
              released_utc TEXT,
              PRIMARY KEY (serial, recording_id, size, device_sha256)
            );
            PRAGMA user_version = 1;
            COMMIT;
            """)
        }
        if version < 2 {
            try db.execute("""
            BEGIN;
            CREATE TABLE forward_object (
              bag_name TEXT NOT NULL,
              path TEXT NOT NULL,
              ordinal INTEGER NOT NULL,
              size INTEGER NOT NULL,
              sha256 BLOB NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('pending', 'verified', 'failed')),
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_utc TEXT,
              last_error TEXT,
              verified_utc TEXT,
              PRIMARY KEY (bag_name, path)
            );
            PRAGMA user_version = 2;
            COMMIT;
            """)
        }
        if version < 3 {
            try db.execute("""
            BEGIN;
            ALTER TABLE forward_object ADD COLUMN upload_id TEXT;
            PRAGMA user_version = 3;
            COMMIT;
            """)
        }
        if version < 4 {
            // 'incomplete' joins the file states. SQLite cannot change a CHECK in place, so the
            // table is rebuilt with the same columns, in one transaction. And a sealed bag
            // remembers whether its bag-finalized audit entry was written (sessions of earlier
            // versions are taken as audited: nothing can tell now).
            try db.execute("""
            BEGIN;
            CREATE TABLE session_file_v4 (
              session_id INTEGER NOT NULL REFERENCES session(id),
              recording_id INTEGER NOT NULL,
              size INTEGER NOT NULL,
              device_sha256 BLOB,
              bag_path TEXT NOT NULL,
              durable_offset INTEGER NOT NULL DEFAULT 0,
              state TEXT NOT NULL CHECK (state IN ('pending', 'staged', 'quarantined', 'incomplete')),
              sha256 BLOB,
              rereads INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (session_id, recording_id)
            );
            INSERT INTO session_file_v4 SELECT session_id, recording_id, size, device_sha256, bag_path, durable_offset,
              state, sha256, rereads FROM session_file;
            DROP TABLE session_file;
            ALTER TABLE session_file_v4 RENAME TO session_file;
            ALTER TABLE session ADD COLUMN bag_audited INTEGER NOT NULL DEFAULT 1;
            PRAGMA user_version = 4;
            COMMIT;
            """)
        }
        if version < 5 {
            // A recording is also recognised by its family's source key (`CatalogEntry.sourceKey`:
            // a mass-storage file's place and time stamps), part of the ledger's key. SQLite cannot
            // change a primary key in place, so the ledger is rebuilt, in one transaction. Rows of
            // earlier versions get the empty key: a family without source keys writes the same.
            try db.execute("""
            BEGIN;
            ALTER TABLE session_file ADD COLUMN source_key BLOB NOT NULL DEFAULT x'';
            CREATE TABLE ledger_v5 (
              serial TEXT NOT NULL,
              recording_id INTEGER NOT NULL,
              size INTEGER NOT NULL,
              device_sha256 BLOB NOT NULL,
              source_key BLOB NOT NULL DEFAULT x'',
              sha256 BLOB NOT NULL,
              bag_name TEXT NOT NULL,
              quarantined INTEGER NOT NULL,
              ingested_utc TEXT NOT NULL,
              released_utc TEXT,
              PRIMARY KEY (serial, recording_id, size, device_sha256, source_key)
            );
            INSERT INTO ledger_v5 SELECT serial, recording_id, size, device_sha256, x'', sha256, bag_name, quarantined,
              ingested_utc, released_utc FROM ledger;
            DROP TABLE ledger;
            ALTER TABLE ledger_v5 RENAME TO ledger;
            PRAGMA user_version = 5;
            COMMIT;
            """)
        }
        if version < 6 {
            // One bag per volume: a session is one volume's bag, and is continued by the next dock
            // of the same recorder that finds the same volume (`Session.volume`). Sessions of
            // earlier versions get the empty key, the one implicit volume of a recorder with one
            // (protocol v1, a medium with one volume), which is what they were.
            try db.execute("""
            BEGIN;
            ALTER TABLE session ADD COLUMN volume TEXT NOT NULL DEFAULT '';
            DROP INDEX IF EXISTS session_serial_state;
            CREATE INDEX session_serial_volume_state ON session(serial, volume, state);
            PRAGMA user_version = 6;
            COMMIT;
            """)
        }
        if version < 7 {
            // The forward queue's order between bags (`ForwardBag`): when each was queued,
            // whether it holds a recording flagged important, and whether a technician moved it
            // to the front. Bags queued by earlier versions take their session's end as the time
            // they were queued (the seal, when they were), else the empty string (oldest of all),
            // and are not taken as important: nothing recorded that then.
            try db.execute("""
            BEGIN;
            CREATE TABLE forward_bag (
              bag_name TEXT PRIMARY KEY,
              queued_utc TEXT NOT NULL,
              important INTEGER NOT NULL DEFAULT 0,
              front_rank INTEGER
            );
            INSERT INTO forward_bag (bag_name, queued_utc)
              SELECT DISTINCT f.bag_name, COALESCE((SELECT s.ended_utc FROM session s WHERE s.bag_name = f.bag_name), '')
              FROM forward_object f;
            PRAGMA user_version = 7;
            COMMIT;
            """)
        }
        if version < 8 {
            // The vendor dance's memory (Journal+Unlock): refused passwords and each
            // recorder's last volumes.
            try createUnlockTables()
        }
        if version < 9 {
            // Each file's catalog listing moves from the session's meta into its row
            // (Journal+Listing).
            try moveListingsOutOfMeta()
        }
    }

    // MARK: Sessions

    /// A dock session as recorded.
    public struct Session: Hashable, Sendable {
        public var id: Int64
        public var serial: String
        public var bay: String
        public var bagName: String
        public var startedUTC: String
        public var endedUTC: String?
        public var state: SessionState
        /// Whatever the ingest wants to keep across a restart (JSON).
        public var meta: String
        /// The volume of the recorder's medium this session's bag holds
        /// (`SourceMedium.Volume.key`), empty for a recorder with one implicit volume
        /// (protocol v1, a medium with one volume).
        public var volume: String = ""
    }

    public enum SessionState: String, Sendable {
        case open, finalized, failed
    }

    /// Records a new open session of `volume` (empty: the recorder's one implicit volume) and
    /// returns it.
    public func openSession(serial: String, bay: String, bagName: String, startedUTC: String,
                            volume: String = "") throws(JournalError) -> Session {
        try locked { () throws(JournalError) -> Session in
            try db.query("INSERT INTO session (serial, bay, bag_name, started_utc, state, volume) VALUES (?, ?, ?, ?, 'open', ?)",
                         [.text(serial), .text(bay), .text(bagName), .text(startedUTC), .text(volume)])
            return Session(id: db.lastInsertRowId, serial: serial, bay: bay, bagName: bagName, startedUTC: startedUTC,
                           endedUTC: nil, state: .open, meta: "{}", volume: volume)
        }
    }

    /// The newest session of `serial` and `volume` (empty: the recorder's one implicit volume)
    /// that was never finalized or failed: the one an interrupted dock (unplugged, gateway
    /// killed) continues, whatever bay the recorder is in now. Another volume's open session is
    /// not it: each volume has a bag of its own.
    public func unfinishedSession(serial: String, volume: String = "") throws(JournalError) -> Session? {
        try locked { () throws(JournalError) -> Session? in
            try db.query("SELECT \(Journal.sessionColumns) FROM session WHERE serial = ? AND volume = ? AND state = 'open' ORDER BY id DESC LIMIT 1",
                         [.text(serial), .text(volume)]).first.map(Journal.session)
        }
    }

    /// Every open session of `serial`, whatever its volume, oldest first: what a dock of the
    /// recorder may have to continue, including the sessions of volumes its medium no longer has.
    public func unfinishedSessions(serial: String) throws(JournalError) -> [Session] {
        try locked { () throws(JournalError) -> [Session] in
            try db.query("SELECT \(Journal.sessionColumns) FROM session WHERE serial = ? AND state = 'open' ORDER BY id",
                         [.text(serial)]).map(Journal.session)
        }
    }

    /// Every session, newest first (at most `limit`).
    public func sessions(limit: Int = 100) throws(JournalError) -> [Session] {
        try locked { () throws(JournalError) -> [Session] in
            try db.query("SELECT \(Journal.sessionColumns) FROM session ORDER BY id DESC LIMIT ?",
                         [.integer(Int64(limit))]).map(Journal.session)
        }
    }

    /// Records that the audit log names the bag of `session` (its `bag-finalized` entry is
    /// written). Until then the session is among `bagsAwaitingAudit()`.
    public func markBagAudited(session: Int64) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE session SET bag_audited = 1 WHERE id = ?", [.integer(session)])
        }
    }

    /// Sessions whose bag was committed but whose `bag-finalized` audit entry may never have
    /// been written (the gateway stopped between the two), oldest first.
    public func bagsAwaitingAudit() throws(JournalError) -> [Session] {
        try locked { () throws(JournalError) -> [Session] in
            try db.query("SELECT \(Journal.sessionColumns) FROM session WHERE state = 'finalized' AND bag_audited = 0 ORDER BY id")
                .map(Journal.session)
        }
    }

    /// Every open session, oldest first: docks interrupted, or stopped while sealing.
    public func openSessions() throws(JournalError) -> [Session] {
        try locked { () throws(JournalError) -> [Session] in
            try db.query("SELECT \(Journal.sessionColumns) FROM session WHERE state = 'open' ORDER BY id")
                .map(Journal.session)
        }
    }

    public func setMeta(session: Int64, _ meta: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE session SET meta = ? WHERE id = ?", [.text(meta), .integer(session)])
        }
    }

    /// Notes which bay the session continues in.
    public func setBay(session: Int64, _ bay: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE session SET bay = ? WHERE id = ?", [.text(bay), .integer(session)])
        }
    }

    public func finish(session: Int64, state: SessionState, endedUTC: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE session SET state = ?, ended_utc = ? WHERE id = ?",
                         [.text(state.rawValue), .text(endedUTC), .integer(session)])
        }
    }

    private static let sessionColumns = "id, serial, bay, bag_name, started_utc, ended_utc, state, meta, volume"

    private static func session(_ r: [SQLValue]) -> Session {
        Session(id: r[0].int ?? 0, serial: r[1].string ?? "", bay: r[2].string ?? "", bagName: r[3].string ?? "",
                startedUTC: r[4].string ?? "", endedUTC: r[5].string, state: SessionState(rawValue: r[6].string ?? "") ?? .failed,
                meta: r[7].string ?? "{}", volume: r[8].string ?? "")
    }

    // MARK: Files of a session

    /// One recording in a session and how far it got.
    public struct File: Hashable, Sendable {
        public var sessionId: Int64
        public var recordingId: UInt32
        public var size: UInt64
        public var deviceSHA256: [UInt8]?
        /// The family's source key (`CatalogEntry.sourceKey`); nil when it has none.
        public var sourceKey: [UInt8]?
        public var bagPath: String
        /// Bytes from 0 known to be on disk in staging.
        public var durableOffset: UInt64
        public var state: FileState
        public var sha256: [UInt8]?
        public var rereads: Int
        /// What the recorder's catalog said of it; nil when it was put without.
        public var listing: Listing?

        public init(sessionId: Int64, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?, bagPath: String,
                    durableOffset: UInt64 = 0, state: FileState = .pending, sha256: [UInt8]? = nil, rereads: Int = 0,
                    sourceKey: [UInt8]? = nil, listing: Listing? = nil) {
            self.sessionId = sessionId
            self.listing = listing
            self.sourceKey = sourceKey
            self.recordingId = recordingId
            self.size = size
            self.deviceSHA256 = deviceSHA256
            self.bagPath = bagPath
            self.durableOffset = durableOffset
            self.state = state
            self.sha256 = sha256
            self.rereads = rereads
        }
    }

    public enum FileState: String, Sendable {
        /// Not yet wholly staged.
        case pending
        /// Staged, fsynced, and its SHA-256 matches the device's (or the device has none).
        case staged
        /// Read whole twice, and both times its SHA-256 disagreed with the device's: kept,
        /// never released. Not counted as collected: a later dock reads it again.
        case quarantined
        /// The device would not give all of it (it refused or stopped answering a READ, or no
        /// longer lists it); what arrived is kept, never released, and not counted as
        /// collected. Never the result of a lost link: that leaves the file pending.
        case incomplete
    }

    /// Adds the file, or replaces it (its listing too) when the same recording is already in
    /// the session.
    public func put(_ f: File) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("""
                INSERT INTO session_file (session_id, recording_id, size, device_sha256, bag_path, durable_offset, state, sha256, rereads, source_key,
                  \(Journal.listingColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?\(String(repeating: ", ?", count: Journal.listingColumnTypes.count)))
                ON CONFLICT (session_id, recording_id) DO UPDATE SET size = excluded.size, device_sha256 = excluded.device_sha256,
                  source_key = excluded.source_key, bag_path = excluded.bag_path, durable_offset = excluded.durable_offset, state = excluded.state,
                  sha256 = excluded.sha256, rereads = excluded.rereads, \(Journal.listingUpdates)
                """, [.integer(f.sessionId), .integer(Int64(f.recordingId)), .integer(Int64(bitPattern: f.size)),
                      f.deviceSHA256.map { .blob($0) } ?? .null, .text(f.bagPath), .integer(Int64(bitPattern: f.durableOffset)),
                      .text(f.state.rawValue), f.sha256.map { .blob($0) } ?? .null, .integer(Int64(f.rereads)),
                      .blob(f.sourceKey ?? [])] + Journal.values(f.listing))
        }
    }

    /// Gives the session's file `from` the recording id `to` (which the session must not hold),
    /// keeping everything else: for a staged copy whose recording the recorder replaced by
    /// another under the same id, so that both stay in the session.
    public func moveFile(session: Int64, from: UInt32, to: UInt32) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE session_file SET recording_id = ? WHERE session_id = ? AND recording_id = ?",
                         [.integer(Int64(to)), .integer(session), .integer(Int64(from))])
        }
    }

    /// Records that staging holds `offset` bytes of the file on disk.
    public func setDurableOffset(session: Int64, recording: UInt32, _ offset: UInt64) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE session_file SET durable_offset = ? WHERE session_id = ? AND recording_id = ?",
                         [.integer(Int64(bitPattern: offset)), .integer(session), .integer(Int64(recording))])
        }
    }

    /// The durable offset of one file of a session, 0 when the session has no such file:
    /// one row read, where `files(session:)` reads them all (a catalog may list 50,000).
    public func durableOffset(session: Int64, recording: UInt32) throws(JournalError) -> UInt64 {
        try locked { () throws(JournalError) -> UInt64 in
            let rows = try db.query("SELECT durable_offset FROM session_file WHERE session_id = ? AND recording_id = ?",
                                    [.integer(session), .integer(Int64(recording))])
            return UInt64(bitPattern: rows.first?.first?.int ?? 0)
        }
    }

    public func files(session: Int64) throws(JournalError) -> [File] {
        try locked { () throws(JournalError) -> [File] in
            var files: [File] = []
            try db.forEachRow("SELECT session_id, recording_id, size, device_sha256, bag_path, durable_offset, state, sha256, rereads, source_key, \(Journal.listingColumns) FROM session_file WHERE session_id = ? ORDER BY recording_id",
                              [.integer(session)]) { r in
                files.append(File(sessionId: r[0].int ?? 0, recordingId: UInt32(truncatingIfNeeded: r[1].int ?? 0),
                                  size: UInt64(bitPattern: r[2].int ?? 0), deviceSHA256: r[3].bytes, bagPath: r[4].string ?? "",
                                  durableOffset: UInt64(bitPattern: r[5].int ?? 0), state: FileState(rawValue: r[6].string ?? "") ?? .pending,
                                  sha256: r[7].bytes, rereads: Int(r[8].int ?? 0), sourceKey: Journal.optionalKey(r[9].bytes),
                                  listing: Journal.listing(r, at: 10)))
            }
            return files
        }
    }

    // MARK: Ledger

    /// What the gateway holds of one recording of one recorder, keyed by serial, recording id,
    /// size, the device's hash and the family's source key: a recorder that reuses an id (or a
    /// path) for new footage gets it ingested.
    public struct LedgerEntry: Hashable, Sendable {
        public var serial: String
        public var recordingId: UInt32
        public var size: UInt64
        public var deviceSHA256: [UInt8]?
        /// The family's source key (`CatalogEntry.sourceKey`); nil when it has none.
        public var sourceKey: [UInt8]?
        public var sha256: [UInt8]
        public var bagName: String
        public var quarantined: Bool
        public var ingestedUTC: String
        public var releasedUTC: String?

        public init(serial: String, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?, sha256: [UInt8],
                    bagName: String, quarantined: Bool, ingestedUTC: String, releasedUTC: String? = nil,
                    sourceKey: [UInt8]? = nil) {
            self.serial = serial
            self.sourceKey = sourceKey
            self.recordingId = recordingId
            self.size = size
            self.deviceSHA256 = deviceSHA256
            self.sha256 = sha256
            self.bagName = bagName
            self.quarantined = quarantined
            self.ingestedUTC = ingestedUTC
            self.releasedUTC = releasedUTC
        }
    }

    /// The ledger's entry for this recording, or nil if it was never ingested.
    public func ledgerEntry(serial: String, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?,
                            sourceKey: [UInt8]? = nil) throws(JournalError) -> LedgerEntry? {
        try locked { () throws(JournalError) -> LedgerEntry? in
            try db.query("SELECT \(Journal.ledgerColumns) FROM ledger WHERE serial = ? AND recording_id = ? AND size = ? AND device_sha256 = ? AND source_key = ?",
                         [.text(serial), .integer(Int64(recordingId)), .integer(Int64(bitPattern: size)), .blob(deviceSHA256 ?? []),
                          .blob(sourceKey ?? [])])
                .first.map(Journal.ledgerEntry)
        }
    }

    /// Every ledger entry of `serial`.
    public func ledger(serial: String) throws(JournalError) -> [LedgerEntry] {
        try locked { () throws(JournalError) -> [LedgerEntry] in
            try db.query("SELECT \(Journal.ledgerColumns) FROM ledger WHERE serial = ? ORDER BY recording_id",
                         [.text(serial)]).map(Journal.ledgerEntry)
        }
    }

    /// Records bags' files as ingested, and finalizes the session, in one transaction: after a
    /// crash either both happened or neither.
    public func commitBag(session: Int64, entries: [LedgerEntry], endedUTC: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.execute("BEGIN IMMEDIATE")
            do throws(JournalError) {
                for e in entries {
                    try db.query("INSERT OR REPLACE INTO ledger (serial, recording_id, size, device_sha256, source_key, sha256, bag_name, quarantined, ingested_utc, released_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                                 [.text(e.serial), .integer(Int64(e.recordingId)), .integer(Int64(bitPattern: e.size)),
                                  .blob(e.deviceSHA256 ?? []), .blob(e.sourceKey ?? []), .blob(e.sha256), .text(e.bagName),
                                  .integer(e.quarantined ? 1 : 0), .text(e.ingestedUTC)])
                }
                try db.query("UPDATE session SET state = 'finalized', ended_utc = ?, bag_audited = 0 WHERE id = ?",
                             [.text(endedUTC), .integer(session)])
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Records that the recorder freed this recording.
    public func markReleased(serial: String, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?, sourceKey: [UInt8]? = nil,
                             releasedUTC: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE ledger SET released_utc = ? WHERE serial = ? AND recording_id = ? AND size = ? AND device_sha256 = ? AND source_key = ?",
                         [.text(releasedUTC), .text(serial), .integer(Int64(recordingId)), .integer(Int64(bitPattern: size)), .blob(deviceSHA256 ?? []),
                          .blob(sourceKey ?? [])])
        }
    }

    // MARK: Forward queue

    /// One file of a bag on its way to the remote evidence store.
    public struct ForwardObject: Hashable, Sendable {
        public var bagName: String
        /// Path inside the bag ("data/DCIM/...", "custody.json").
        public var path: String
        /// Upload order within the bag: payload first, tag files last, so a reader never sees
        /// a complete-looking bag with files missing.
        public var ordinal: Int
        public var size: UInt64
        public var sha256: [UInt8]
        public var state: ForwardState
        public var attempts: Int
        public var nextAttemptUTC: String?
        public var lastError: String?
        public var verifiedUTC: String?
        /// The multipart upload in progress, so a restart continues it (ListParts) instead of
        /// leaving it abandoned.
        public var uploadID: String?

        public init(bagName: String, path: String, ordinal: Int, size: UInt64, sha256: [UInt8], state: ForwardState = .pending,
                    attempts: Int = 0, nextAttemptUTC: String? = nil, lastError: String? = nil, verifiedUTC: String? = nil) {
            self.bagName = bagName
            self.path = path
            self.ordinal = ordinal
            self.size = size
            self.sha256 = sha256
            self.state = state
            self.attempts = attempts
            self.nextAttemptUTC = nextAttemptUTC
            self.lastError = lastError
            self.verifiedUTC = verifiedUTC
        }
    }

    public enum ForwardState: String, Sendable {
        /// Not yet confirmed by the store (never sent, or sent and not verified).
        case pending
        /// The store holds it, byte-exact and retention-locked.
        case verified
        /// Refused for good (a permanent error); `retry` puts it back to pending.
        case failed
    }

    /// Queues every object of a bag (idempotent: objects already queued keep their state), and
    /// the bag's place in the order between bags (`ForwardBag`: queued now, `important` when it
    /// holds a recording flagged important; a bag queued before keeps its place).
    public func enqueue(_ objects: [ForwardObject], important: Bool = false, queuedUTC: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.execute("BEGIN IMMEDIATE")
            do throws(JournalError) {
                for bag in Set(objects.map(\.bagName)) {
                    try db.query("INSERT OR IGNORE INTO forward_bag (bag_name, queued_utc, important) VALUES (?, ?, ?)",
                                 [.text(bag), .text(queuedUTC), .integer(important ? 1 : 0)])
                }
                for o in objects {
                    try db.query("INSERT OR IGNORE INTO forward_object (bag_name, path, ordinal, size, sha256, state, attempts) VALUES (?, ?, ?, ?, ?, 'pending', 0)",
                                 [.text(o.bagName), .text(o.path), .integer(Int64(o.ordinal)), .integer(Int64(bitPattern: o.size)), .blob(o.sha256)])
                }
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Every queued object, by bag then upload order (all states); only those of `bag` when
    /// given. With `unfinishedOnly`, only the bags that still have an object not verified (all
    /// of each such bag's objects): what the forward queue works from on every pass, so the
    /// bags forwarded months ago are not read again and again.
    public func forwardObjects(bag: String? = nil, unfinishedOnly: Bool = false) throws(JournalError) -> [ForwardObject] {
        try locked { () throws(JournalError) -> [ForwardObject] in
            var conditions: [String] = []
            if bag != nil { conditions.append("bag_name = ?") }
            if unfinishedOnly { conditions.append("bag_name IN (SELECT bag_name FROM forward_object WHERE state != 'verified')") }
            let sql = "SELECT bag_name, path, ordinal, size, sha256, state, attempts, next_attempt_utc, last_error, verified_utc, upload_id FROM forward_object"
                + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) + " ORDER BY bag_name, ordinal"
            return try db.query(sql, bag.map { [.text($0)] } ?? []).map { r in
                var o = ForwardObject(bagName: r[0].string ?? "", path: r[1].string ?? "", ordinal: Int(r[2].int ?? 0),
                                      size: UInt64(bitPattern: r[3].int ?? 0), sha256: r[4].bytes ?? [],
                                      state: ForwardState(rawValue: r[5].string ?? "") ?? .pending, attempts: Int(r[6].int ?? 0),
                                      nextAttemptUTC: r[7].string, lastError: r[8].string, verifiedUTC: r[9].string)
                o.uploadID = r[10].string
                return o
            }
        }
    }

    /// Records an attempt's outcome.
    public func updateForward(bag: String, path: String, state: ForwardState, attempts: Int, nextAttemptUTC: String?,
                              lastError: String?, verifiedUTC: String?) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE forward_object SET state = ?, attempts = ?, next_attempt_utc = ?, last_error = ?, verified_utc = ? WHERE bag_name = ? AND path = ?",
                         [.text(state.rawValue), .integer(Int64(attempts)), nextAttemptUTC.map { .text($0) } ?? .null,
                          lastError.map { .text($0) } ?? .null, verifiedUTC.map { .text($0) } ?? .null, .text(bag), .text(path)])
        }
    }

    /// Records (or, with nil, forgets) the multipart upload of an object.
    public func setUploadID(bag: String, path: String, _ uploadID: String?) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE forward_object SET upload_id = ? WHERE bag_name = ? AND path = ?",
                         [uploadID.map { .text($0) } ?? .null, .text(bag), .text(path)])
        }
    }

    /// Puts a bag's failed objects back in the queue.
    public func retryForward(bag: String) throws(JournalError) -> Int {
        try locked { () throws(JournalError) -> Int in
            try db.query("UPDATE forward_object SET state = 'pending', next_attempt_utc = NULL WHERE bag_name = ? AND state = 'failed'", [.text(bag)])
            return Int(sqlite3Changes())
        }
    }

    /// Whether every object of the bag is verified in the store (false for a bag never queued).
    public func isForwarded(bag: String) throws(JournalError) -> Bool {
        try locked { () throws(JournalError) -> Bool in
            let rows = try db.query("SELECT COUNT(*), SUM(state = 'verified') FROM forward_object WHERE bag_name = ?", [.text(bag)])
            let total = rows.first?[0].int ?? 0, verified = rows.first?[1].int ?? 0
            return total > 0 && total == verified
        }
    }

    private func sqlite3Changes() -> Int64 { db.changes }

    private static let ledgerColumns = "serial, recording_id, size, device_sha256, sha256, bag_name, quarantined, ingested_utc, released_utc, source_key"

    private static func ledgerEntry(_ r: [SQLValue]) -> LedgerEntry {
        let device = r[3].bytes ?? []
        return LedgerEntry(serial: r[0].string ?? "", recordingId: UInt32(truncatingIfNeeded: r[1].int ?? 0),
                           size: UInt64(bitPattern: r[2].int ?? 0), deviceSHA256: device.isEmpty ? nil : device,
                           sha256: r[4].bytes ?? [], bagName: r[5].string ?? "", quarantined: (r[6].int ?? 0) != 0,
                           ingestedUTC: r[7].string ?? "", releasedUTC: r[8].string, sourceKey: optionalKey(r[9].bytes))
    }

    /// A stored key column: the empty blob (or a missing one) stands for "none".
    private static func optionalKey(_ bytes: [UInt8]?) -> [UInt8]? {
        guard let bytes, !bytes.isEmpty else { return nil }
        return bytes
    }

    @discardableResult
    func locked<T>(_ body: () throws(JournalError) -> T) throws(JournalError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
