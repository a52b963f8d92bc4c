import GatewayCrypto

extension Journal {
    /// What the recorder's catalog said of a file when the session took it in: kept with the
    /// file's row (schema version 9), so that the custody record has it even if the recorder
    /// loses the file, and so that no text of every entry is ever made (#11: a 50,000-entry
    /// catalog was one JSON text in the session's meta, rewritten whole at every dock).
    public struct Listing: Hashable, Sendable {
        /// The catalog's kind (`video`, `gps-log`, …), as the family names it.
        public var kind: String
        /// The path on the recorder, as its bytes (not necessarily UTF-8).
        public var devicePath: [UInt8]
        public var sequence: UInt32
        /// Flagged important by the recorder (the officer's mark).
        public var important: Bool
        /// The recording's start and end by the recorder's clock, milliseconds since 1970.
        public var startMilliseconds: Int64
        public var endMilliseconds: Int64

        public init(kind: String, devicePath: [UInt8], sequence: UInt32, important: Bool,
                    startMilliseconds: Int64, endMilliseconds: Int64) {
            self.kind = kind
            self.devicePath = devicePath
            self.sequence = sequence
            self.important = important
            self.startMilliseconds = startMilliseconds
            self.endMilliseconds = endMilliseconds
        }
    }

    /// Whether a file of the session is flagged important by its recorder: its bag then goes
    /// ahead of the others in the forward queue (Forwarding's `ForwardOrder`).
    public func holdsImportant(session: Int64) throws(JournalError) -> Bool {
        try locked { () throws(JournalError) -> Bool in
            try db.query("SELECT EXISTS (SELECT 1 FROM session_file WHERE session_id = ? AND listed_important = 1)",
                         [.integer(session)]).first?.first?.int == 1
        }
    }

    /// The schema's version-9 step: the listing columns of `session_file`, filled from the
    /// `entries` of each session's meta (versions 1 to 8 kept them there, keyed by recording id,
    /// the path as hex), which are then taken out of the meta. One transaction: after a crash
    /// either every session moved or none did. A meta that is not JSON, an entry that is not an
    /// object or has no kind, a key that is not a recording id as the old code wrote it, or an
    /// entry whose file the session does not hold, leaves nothing behind it: the old code could
    /// not have used it either. The plan fills a listing that is missing at the session's next
    /// dock, from the catalog.
    func moveListingsOutOfMeta() throws(JournalError) {
        try db.execute("BEGIN IMMEDIATE")
        do throws(JournalError) {
            // A column the table has already is kept (as `createUnlockTables` keeps its tables): a
            // journal whose user_version was set back by hand is opened again without harm.
            let existing = Set(try db.query("PRAGMA table_info(session_file)").compactMap { $0[1].string })
            for (name, type) in Self.listingColumnTypes where !existing.contains(name) {
                try db.execute("ALTER TABLE session_file ADD COLUMN \(name) \(type)")
            }
            // SQLite's JSON functions read the old text, one session's meta at a time (CASE: a
            // meta that is not JSON is never handed to json_type or json_each, and an entry that is
            // not an object never to json_extract, each of which would fail on it and so stop every
            // start of the gateway); the path's hex is decoded by `bytes(fromHex:)` (unhex() is
            // newer than Debian 12's SQLite).
            let ids = try db.query("""
                SELECT id FROM session
                WHERE CASE WHEN json_valid(meta) THEN json_type(meta, '$.entries') = 'object' ELSE 0 END
                """).compactMap { $0.first?.int }
            for session in ids {
                guard let meta = try db.query("SELECT meta FROM session WHERE id = ?", [.integer(session)]).first?.first?.string
                else { continue }
                var entries: [[SQLValue]] = []
                try db.forEachRow("""
                    SELECT key, \(["kind", "pathHex", "sequence", "important", "startMilliseconds", "endMilliseconds"]
                        .map { "CASE WHEN type = 'object' THEN json_extract(value, '$.\($0)') END" }.joined(separator: ", "))
                    FROM json_each(?, '$.entries')
                    """, [.text(meta)]) { entries.append($0) }
                for r in entries {
                    // Only the key the old code wrote and looked up (`String(id)`): "007" or "+7"
                    // would otherwise stand for 7 too.
                    guard let key = r[0].string, let id = UInt32(key), String(id) == key,
                          let kind = r[1].string else { continue }
                    try db.query("""
                        UPDATE session_file SET listed_kind = ?, listed_path = ?, listed_sequence = ?, listed_important = ?,
                          listed_start_ms = ?, listed_end_ms = ? WHERE session_id = ? AND recording_id = ?
                        """, [.text(kind), .blob(bytes(fromHex: r[2].string ?? "") ?? []),
                              .integer(r[3].int ?? 0), .integer(r[4].int ?? 0), .integer(r[5].int ?? 0), .integer(r[6].int ?? 0),
                              .integer(session), .integer(Int64(id))])
                }
            }
            try db.execute("""
                UPDATE session SET meta = json_remove(meta, '$.entries')
                  WHERE CASE WHEN json_valid(meta) THEN json_type(meta, '$.entries') IS NOT NULL ELSE 0 END;
                PRAGMA user_version = 9;
                COMMIT;
                """)
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    /// The listing's columns of `session_file` and their types, in the order `listing(_:at:)`
    /// reads them and `values(_:)` gives them: the one list the schema step, `put` and `files`
    /// are made from.
    static let listingColumnTypes = [("listed_kind", "TEXT"), ("listed_path", "BLOB"), ("listed_sequence", "INTEGER"),
                                     ("listed_important", "INTEGER"), ("listed_start_ms", "INTEGER"), ("listed_end_ms", "INTEGER")]
    /// `listingColumnTypes`' names, comma-separated, for a SELECT or an INSERT.
    static let listingColumns = listingColumnTypes.map(\.0).joined(separator: ", ")
    /// `put`'s update of each listing column from the row it conflicted with.
    static let listingUpdates = listingColumnTypes.map { "\($0.0) = excluded.\($0.0)" }.joined(separator: ", ")

    /// The listing in the columns of `row` from `first` on (`listingColumns`); nil when the
    /// row has none (a file put without one).
    static func listing(_ row: [SQLValue], at first: Int) -> Listing? {
        guard let kind = row[first].string else { return nil }
        return Listing(kind: kind, devicePath: row[first + 1].bytes ?? [], sequence: UInt32(truncatingIfNeeded: row[first + 2].int ?? 0),
                       important: row[first + 3].int == 1, startMilliseconds: row[first + 4].int ?? 0,
                       endMilliseconds: row[first + 5].int ?? 0)
    }

    /// The values of `listingColumns` for `listing` (NULLs for none).
    static func values(_ listing: Listing?) -> [SQLValue] {
        guard let l = listing else { return Array(repeating: .null, count: listingColumnTypes.count) }
        return [.text(l.kind), .blob(l.devicePath), .integer(Int64(l.sequence)), .integer(l.important ? 1 : 0),
                .integer(l.startMilliseconds), .integer(l.endMilliseconds)]
    }
}
