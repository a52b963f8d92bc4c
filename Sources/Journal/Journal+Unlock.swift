extension Journal {
    /// A vendor recorder's refusal of the kiosk's password, remembered so that the password is
    /// not sent to that recorder again (a recorder may lock or wipe itself after a few wrong
    /// ones) until a technician clears it.
    public struct PasswordRefusal: Hashable, Sendable {
        /// The recorder, as the dance names it (its USB serial).
        public var recorder: String
        /// The family that sent the password (`amba-ascii`).
        public var family: String
        /// The bay it was docked in, and when the password was refused (UTC text).
        public var bay: String
        public var refusedUTC: String

        public init(recorder: String, family: String, bay: String, refusedUTC: String) {
            self.recorder = recorder
            self.family = family
            self.bay = bay
            self.refusedUTC = refusedUTC
        }
    }

    /// The tables of the vendor dance: the schema's version-8 step (`IF NOT EXISTS`, so a
    /// journal that already has them keeps their rows).
    func createUnlockTables() throws(JournalError) {
        try db.execute("""
        BEGIN;
        CREATE TABLE IF NOT EXISTS password_refusal (
            recorder TEXT PRIMARY KEY,
            family TEXT NOT NULL,
            bay TEXT NOT NULL,
            refused_utc TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS recorder_volumes (
            recorder TEXT PRIMARY KEY,
            volumes TEXT NOT NULL,
            seen_utc TEXT NOT NULL
        );
        PRAGMA user_version = 8;
        COMMIT;
        """)
    }

    /// Remembers that `recorder` refused the password (the latest refusal wins).
    public func rememberPasswordRefusal(_ refusal: PasswordRefusal) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("INSERT OR REPLACE INTO password_refusal (recorder, family, bay, refused_utc) VALUES (?, ?, ?, ?)",
                         [.text(refusal.recorder), .text(refusal.family), .text(refusal.bay), .text(refusal.refusedUTC)])
        }
    }

    /// The refusal remembered for `recorder`, or nil.
    public func passwordRefusal(recorder: String) throws(JournalError) -> PasswordRefusal? {
        try locked { () throws(JournalError) -> PasswordRefusal? in
            try db.query("SELECT recorder, family, bay, refused_utc FROM password_refusal WHERE recorder = ?", [.text(recorder)])
                .first.map(Journal.refusal)
        }
    }

    /// Every remembered refusal, oldest first.
    public func passwordRefusals() throws(JournalError) -> [PasswordRefusal] {
        try locked { () throws(JournalError) -> [PasswordRefusal] in
            try db.query("SELECT recorder, family, bay, refused_utc FROM password_refusal ORDER BY refused_utc, recorder").map(Journal.refusal)
        }
    }

    /// Forgets the refusal of `recorder` (a technician cleared it); returns it, nil when there
    /// was none.
    @discardableResult
    public func clearPasswordRefusal(recorder: String) throws(JournalError) -> PasswordRefusal? {
        try locked { () throws(JournalError) -> PasswordRefusal? in
            let found = try db.query("SELECT recorder, family, bay, refused_utc FROM password_refusal WHERE recorder = ?",
                                     [.text(recorder)]).first.map(Journal.refusal)
            try db.query("DELETE FROM password_refusal WHERE recorder = ?", [.text(recorder)])
            return found
        }
    }

    /// The volume keys (`SourceMedium.Volume.key`) `recorder` had at its latest dock whose
    /// medium was read, or nil.
    public func recorderVolumes(recorder: String) throws(JournalError) -> [String]? {
        try locked { () throws(JournalError) -> [String]? in
            try db.query("SELECT volumes FROM recorder_volumes WHERE recorder = ?", [.text(recorder)]).first
                .map { ($0[0].string ?? "").split(separator: "\n").map(String.init) }
        }
    }

    /// Remembers the volume keys `recorder` has now.
    public func rememberRecorderVolumes(recorder: String, _ volumes: [String], seenUTC: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try db.query("INSERT OR REPLACE INTO recorder_volumes (recorder, volumes, seen_utc) VALUES (?, ?, ?)",
                         [.text(recorder), .text(volumes.joined(separator: "\n")), .text(seenUTC)])
        }
    }

    private static func refusal(_ r: [SQLValue]) -> PasswordRefusal {
        PasswordRefusal(recorder: r[0].string ?? "", family: r[1].string ?? "", bay: r[2].string ?? "", refusedUTC: r[3].string ?? "")
    }
}
