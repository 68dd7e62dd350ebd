import Foundation
import GRDB
import SanjiCore
import GRDBSQLite

/// A prepared statement bound through the SQLite C API, for the hot paths of bulk intake and
/// summary upserts (GRDB's record API is several times slower there). Lives inside one
/// `DatabasePool.write` closure and is finalized on deinit.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    private let sql: String
    /// The connection's cached statement this one borrows (nil: prepared here, finalized on deinit).
    private let cached: Statement?

    init(_ db: Database, _ sql: String) throws {
        var stmt: OpaquePointer?
        let conn = db.sqliteConnection!
        let rc = sqlite3_prepare_v2(conn, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(conn)), sql: sql)
        }
        handle = stmt
        connection = conn
        self.sql = sql
        cached = nil
    }

    /// The connection's cached statement for `sql`, prepared once per connection: for statements
    /// run again and again (a batch read for every batch sent). Every parameter must be bound anew.
    init(cached db: Database, _ sql: String) throws {
        let statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
        self.sql = sql
        cached = statement
    }

    deinit { if cached == nil { sqlite3_finalize(handle) } }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ i: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, i, value) } else { sqlite3_bind_null(handle, i) }
    }

    func bind(_ i: Int32, _ value: Int) { sqlite3_bind_int64(handle, i, Int64(value)) }

    func bind(_ i: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, i)
            return
        }
        var v = value
        v.withUTF8 { buf in
            _ = sqlite3_bind_text(handle, i, UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buf.count), RawStatement.transient)
        }
    }

    /// Binds a day as its `YYYY-MM-DD` text, with no String made.
    func bind(_ i: Int32, _ day: Day) {
        day.withISOBytes { buf in
            _ = sqlite3_bind_text(handle, i, UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buf.count), RawStatement.transient)
        }
    }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    func run() throws -> Int {
        defer { sqlite3_reset(handle) }
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE else { throw error(rc) }
        return Int(sqlite3_changes(connection))
    }

    /// Steps to the first row (if any) and hands it to `read`; resets afterwards.
    func first<T>(_ read: (RawStatement) throws -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw error(rc) }
        return try read(self)
    }

    /// Steps through every row, handing each to `body`; resets afterwards.
    func each(_ body: (RawStatement) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc) }
            try body(self)
        }
    }

    func int(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: p)
    }

    /// Whether a text column holds exactly `text` (compared in place, no String made).
    func textEquals(_ column: Int32, _ text: String) -> Bool {
        guard let p = sqlite3_column_text(handle, column) else { return false }
        let count = Int(sqlite3_column_bytes(handle, column))
        var t = text
        return t.withUTF8 { u in u.count == count && (count == 0 || memcmp(u.baseAddress!, p, count) == 0) }
    }

    /// A day column (`YYYY-MM-DD`), parsed from its bytes.
    func day(_ column: Int32) -> Day? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        return Day(utf8: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, column))))
    }

    private func error(_ rc: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}
