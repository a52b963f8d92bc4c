import CSQLite
import Foundation

/// A failure of the journal database, with SQLite's own words and what was being done.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var message: String
    public var code: Int32

    public var description: String { "journal: \(operation): \(message) (SQLite code \(code))" }
}

/// A value bound to or read from a statement.
enum SQLValue {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// One SQLite connection. Not thread-safe by itself: `Journal` serialises every use.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String

    init(path: String) throws(JournalError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw JournalError(operation: "open \(path)", message: message, code: rc)
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close(handle) }

    func execute(_ sql: String) throws(JournalError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw JournalError(operation: sql.prefix(60).description, message: message, code: rc)
        }
    }

    /// Runs `sql` with `values` bound to its `?` in order, returning every row.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue] = []) throws(JournalError) -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        try forEachRow(sql, values) { rows.append($0) }
        return rows
    }

    /// Runs `sql` with `values` bound to its `?` in order, giving each row to `body` as it is
    /// stepped to: a caller that makes its own value of each row never holds every row's
    /// values at once (a session's files: a catalog may list 50,000, #11).
    func forEachRow(_ sql: String, _ values: [SQLValue], _ body: ([SQLValue]) -> Void) throws(JournalError) {
        var statement: OpaquePointer?
        var rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(sql, rc) }
        defer { sqlite3_finalize(statement) }
        // SQLITE_TRANSIENT: SQLite copies the bytes before bind returns.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .text(let s): rc = sqlite3_bind_text(statement, index, s, -1, transient)
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), transient) }
            case .null: rc = sqlite3_bind_null(statement, index)
            }
            guard rc == SQLITE_OK else { throw failure(sql, rc) }
        }
        let columns = sqlite3_column_count(statement)
        var row: [SQLValue] = []
        row.reserveCapacity(Int(columns))
        while true {
            rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(sql, rc) }
            row.removeAll(keepingCapacity: true)
            for c in 0..<columns {
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, c)))
                case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(statement, c))))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(statement, c))
                    if n == 0 {
                        row.append(.blob([]))
                    } else {
                        let p = sqlite3_column_blob(statement, c)!
                        row.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: n))))
                    }
                default: row.append(.null)
                }
            }
            body(row)
        }
    }

    var lastInsertRowId: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int64 { Int64(sqlite3_changes(handle)) }

    private func failure(_ sql: String, _ rc: Int32) -> JournalError {
        JournalError(operation: String(sql.prefix(60)), message: String(cString: sqlite3_errmsg(handle)), code: rc)
    }
}

extension SQLValue {
    var int: Int64? { if case .integer(let v) = self { return v }; return nil }
    var string: String? { if case .text(let s) = self { return s }; return nil }
    var bytes: [UInt8]? {
        switch self {
        case .blob(let b): return b
        case .null: return nil
        default: return nil
        }
    }
}
