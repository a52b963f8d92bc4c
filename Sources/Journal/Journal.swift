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
    private let db: SQLiteConnection
    private let lock = NSLock()

    /// The schema version this code writes (PRAGMA user_version).
    public static let schemaVersion: Int64 = 1

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
    }

    public enum SessionState: String, Sendable {
        case open, finalized, failed
    }

    /// Records a new open session and returns it.
    public func openSession(serial: String, bay: String, bagName: String, startedUTC: String) throws(JournalError) -> Session {
        try locked { () throws(JournalError) -> Session in
            try db.query("INSERT INTO session (serial, bay, bag_name, started_utc, state) VALUES (?, ?, ?, ?, 'open')",
                         [.text(serial), .text(bay), .text(bagName), .text(startedUTC)])
            return Session(id: db.lastInsertRowId, serial: serial, bay: bay, bagName: bagName, startedUTC: startedUTC,
                           endedUTC: nil, state: .open, meta: "{}")
        }
    }

    /// The newest session of `serial` that was never finalized or failed: the one an
    /// interrupted dock (unplugged, gateway killed) continues, whatever bay the recorder is in now.
    public func unfinishedSession(serial: String) throws(JournalError) -> Session? {
        try locked { () throws(JournalError) -> Session? in
            try db.query("SELECT id, serial, bay, bag_name, started_utc, ended_utc, state, meta FROM session WHERE serial = ? AND state = 'open' ORDER BY id DESC LIMIT 1",
                         [.text(serial)]).first.map(Journal.session)
        }
    }

    /// Every session, newest first (at most `limit`).
    public func sessions(limit: Int = 100) throws(JournalError) -> [Session] {
        try locked { () throws(JournalError) -> [Session] in
            try db.query("SELECT id, serial, bay, bag_name, started_utc, ended_utc, state, meta FROM session ORDER BY id DESC LIMIT ?",
                         [.integer(Int64(limit))]).map(Journal.session)
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

    private static func session(_ r: [SQLValue]) -> Session {
        Session(id: r[0].int ?? 0, serial: r[1].string ?? "", bay: r[2].string ?? "", bagName: r[3].string ?? "",
                startedUTC: r[4].string ?? "", endedUTC: r[5].string, state: SessionState(rawValue: r[6].string ?? "") ?? .failed,
                meta: r[7].string ?? "{}")
    }

    // MARK: Files of a session

    /// One recording in a session and how far it got.
    public struct File: Hashable, Sendable {
        public var sessionId: Int64
        public var recordingId: UInt32
        public var size: UInt64
        public var deviceSHA256: [UInt8]?
        public var bagPath: String
        /// Bytes from 0 known to be on disk in staging.
        public var durableOffset: UInt64
        public var state: FileState
        public var sha256: [UInt8]?
        public var rereads: Int

        public init(sessionId: Int64, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?, bagPath: String,
                    durableOffset: UInt64 = 0, state: FileState = .pending, sha256: [UInt8]? = nil, rereads: Int = 0) {
            self.sessionId = sessionId
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
        /// Staged, but its SHA-256 twice disagreed with the device's: kept, never released.
        case quarantined
    }

    /// Adds the file, or replaces it when the same recording is already in the session.
    public func put(_ f: File) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("""
                INSERT INTO session_file (session_id, recording_id, size, device_sha256, bag_path, durable_offset, state, sha256, rereads)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (session_id, recording_id) DO UPDATE SET size = excluded.size, device_sha256 = excluded.device_sha256,
                  bag_path = excluded.bag_path, durable_offset = excluded.durable_offset, state = excluded.state,
                  sha256 = excluded.sha256, rereads = excluded.rereads
                """, [.integer(f.sessionId), .integer(Int64(f.recordingId)), .integer(Int64(bitPattern: f.size)),
                      f.deviceSHA256.map { .blob($0) } ?? .null, .text(f.bagPath), .integer(Int64(bitPattern: f.durableOffset)),
                      .text(f.state.rawValue), f.sha256.map { .blob($0) } ?? .null, .integer(Int64(f.rereads))])
        }
    }

    /// Records that staging holds `offset` bytes of the file on disk.
    public func setDurableOffset(session: Int64, recording: UInt32, _ offset: UInt64) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE session_file SET durable_offset = ? WHERE session_id = ? AND recording_id = ?",
                         [.integer(Int64(bitPattern: offset)), .integer(session), .integer(Int64(recording))])
        }
    }

    public func files(session: Int64) throws(JournalError) -> [File] {
        try locked { () throws(JournalError) -> [File] in
            try db.query("SELECT session_id, recording_id, size, device_sha256, bag_path, durable_offset, state, sha256, rereads FROM session_file WHERE session_id = ? ORDER BY recording_id",
                         [.integer(session)]).map { r in
                File(sessionId: r[0].int ?? 0, recordingId: UInt32(truncatingIfNeeded: r[1].int ?? 0),
                     size: UInt64(bitPattern: r[2].int ?? 0), deviceSHA256: r[3].bytes, bagPath: r[4].string ?? "",
                     durableOffset: UInt64(bitPattern: r[5].int ?? 0), state: FileState(rawValue: r[6].string ?? "") ?? .pending,
                     sha256: r[7].bytes, rereads: Int(r[8].int ?? 0))
            }
        }
    }

    // MARK: Ledger

    /// What the gateway holds of one recording of one recorder, keyed by serial, recording id,
    /// size and the device's hash: a recorder that reuses an id for new footage gets it ingested.
    public struct LedgerEntry: Hashable, Sendable {
        public var serial: String
        public var recordingId: UInt32
        public var size: UInt64
        public var deviceSHA256: [UInt8]?
        public var sha256: [UInt8]
        public var bagName: String
        public var quarantined: Bool
        public var ingestedUTC: String
        public var releasedUTC: String?

        public init(serial: String, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?, sha256: [UInt8],
                    bagName: String, quarantined: Bool, ingestedUTC: String, releasedUTC: String? = nil) {
            self.serial = serial
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
    public func ledgerEntry(serial: String, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?) throws(JournalError) -> LedgerEntry? {
        try locked { () throws(JournalError) -> LedgerEntry? in
            try db.query("SELECT serial, recording_id, size, device_sha256, sha256, bag_name, quarantined, ingested_utc, released_utc FROM ledger WHERE serial = ? AND recording_id = ? AND size = ? AND device_sha256 = ?",
                         [.text(serial), .integer(Int64(recordingId)), .integer(Int64(bitPattern: size)), .blob(deviceSHA256 ?? [])])
                .first.map(Journal.ledgerEntry)
        }
    }

    /// Every ledger entry of `serial`.
    public func ledger(serial: String) throws(JournalError) -> [LedgerEntry] {
        try locked { () throws(JournalError) -> [LedgerEntry] in
            try db.query("SELECT serial, recording_id, size, device_sha256, sha256, bag_name, quarantined, ingested_utc, released_utc FROM ledger WHERE serial = ? ORDER BY recording_id",
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
                    try db.query("INSERT OR REPLACE INTO ledger (serial, recording_id, size, device_sha256, sha256, bag_name, quarantined, ingested_utc, released_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                                 [.text(e.serial), .integer(Int64(e.recordingId)), .integer(Int64(bitPattern: e.size)),
                                  .blob(e.deviceSHA256 ?? []), .blob(e.sha256), .text(e.bagName), .integer(e.quarantined ? 1 : 0),
                                  .text(e.ingestedUTC)])
                }
                try db.query("UPDATE session SET state = 'finalized', ended_utc = ? WHERE id = ?", [.text(endedUTC), .integer(session)])
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Records that the recorder freed this recording.
    public func markReleased(serial: String, recordingId: UInt32, size: UInt64, deviceSHA256: [UInt8]?, releasedUTC: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("UPDATE ledger SET released_utc = ? WHERE serial = ? AND recording_id = ? AND size = ? AND device_sha256 = ?",
                         [.text(releasedUTC), .text(serial), .integer(Int64(recordingId)), .integer(Int64(bitPattern: size)), .blob(deviceSHA256 ?? [])])
        }
    }

    private static func ledgerEntry(_ r: [SQLValue]) -> LedgerEntry {
        let device = r[3].bytes ?? []
        return LedgerEntry(serial: r[0].string ?? "", recordingId: UInt32(truncatingIfNeeded: r[1].int ?? 0),
                           size: UInt64(bitPattern: r[2].int ?? 0), deviceSHA256: device.isEmpty ? nil : device,
                           sha256: r[4].bytes ?? [], bagName: r[5].string ?? "", quarantined: (r[6].int ?? 0) != 0,
                           ingestedUTC: r[7].string ?? "", releasedUTC: r[8].string)
    }

    @discardableResult
    private func locked<T>(_ body: () throws(JournalError) -> T) throws(JournalError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
