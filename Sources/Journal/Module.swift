// The SQLite journal.
