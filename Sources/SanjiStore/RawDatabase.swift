import Foundation
import GRDB
import GRDBSQLite
import SanjiCore

/// Raw SQL on a SQLite file, through the C API: the one door past the store's seal, for tests
/// that damage or inspect a store the way an outside hand would, and for the benchmarks' raw
/// limits (what SQLite alone does with the same rows). Not for the product: import it with
/// `@_spi(Testing) import SanjiStore`.
@_spi(Testing)
public final class RawDatabase {
    /// A value bound to, or read from, a statement.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        case null
        case int(Int64)
        case double(Double)
        case text(String)

        /// The integer; nil for any other kind of value.
        public var int: Int64? { if case .int(let v) = self { v } else { nil } }
        /// The text; nil for any other kind of value.
        public var text: String? { if case .text(let v) = self { v } else { nil } }

        /// The value as text: `NULL`, the number, or the text itself.
        public var description: String {
            switch self {
            case .null: "NULL"
            case .int(let v): String(v)
            case .double(let v): String(v)
            case .text(let v): v
            }
        }
    }

    /// One row of a result: its values by column name (and in order).
    public struct Row: Sendable, Equatable, CustomStringConvertible {
        /// The column names, in the result's order.
        public let columns: [String]
        /// The values, in the order of `columns`.
        public let values: [Value]

        /// The value of the column `name`; `.null` when there is no such column.
        public subscript(_ name: String) -> Value { columns.firstIndex(of: name).map { values[$0] } ?? .null }
        /// The value of the column at `index` (a trap when out of range).
        public subscript(_ index: Int) -> Value { values[index] }

        /// `column=value` pairs, separated by spaces.
        public var description: String { zip(columns, values).map { "\($0)=\($1)" }.joined(separator: " ") }
    }

    /// A prepared statement, for the benchmarks' tight loops.
    public final class Statement {
        private let handle: OpaquePointer
        private let database: RawDatabase

        fileprivate init(_ database: RawDatabase, _ sql: String) throws {
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(database.handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw database.error(sql) }
            handle = stmt
            self.database = database
        }

        deinit { sqlite3_finalize(handle) }

        /// Binds `values` to the parameters, in order.
        public func bind(_ values: [Value]) {
            sqlite3_reset(handle)
            for (i, v) in values.enumerated() { bind(Int32(i + 1), v) }
        }

        /// Binds `value` to the parameter at `index` (from 1).
        public func bind(_ index: Int32, _ value: Value) {
            switch value {
            case .null: sqlite3_bind_null(handle, index)
            case .int(let v): sqlite3_bind_int64(handle, index, v)
            case .double(let v): sqlite3_bind_double(handle, index, v)
            case .text(let v): sqlite3_bind_text(handle, index, v, -1, RawDatabase.transient)
            }
        }

        /// Binds an integer to the parameter at `index` (from 1).
        public func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
        /// Binds text to the parameter at `index` (from 1).
        public func bind(_ index: Int32, _ value: String) { sqlite3_bind_text(handle, index, value, -1, RawDatabase.transient) }
        /// Binds NULL to the parameter at `index` (from 1).
        public func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

        /// Runs a statement that returns no rows (an insert in a tight loop), then resets it.
        public func step() throws {
            defer { sqlite3_reset(handle) }
            guard sqlite3_step(handle) == SQLITE_DONE else { throw database.error("a prepared statement") }
        }

        /// Runs the statement to its end; returns its rows.
        @discardableResult
        public func run() throws -> [Row] {
            defer { sqlite3_reset(handle) }
            var rows: [Row] = []
            let count = sqlite3_column_count(handle)
            let names = (0..<count).map { String(cString: sqlite3_column_name(handle, $0)) }
            while true {
                let rc = sqlite3_step(handle)
                if rc == SQLITE_DONE { return rows }
                guard rc == SQLITE_ROW else { throw database.error("a prepared statement") }
                rows.append(Row(columns: names, values: (0..<count).map(value)))
            }
        }

        private func value(_ column: Int32) -> Value {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: .int(sqlite3_column_int64(handle, column))
            case SQLITE_FLOAT: .double(sqlite3_column_double(handle, column))
            case SQLITE_NULL: .null
            default: .text(sqlite3_column_text(handle, column).map { String(cString: $0) } ?? "")
            }
        }
    }

    fileprivate static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    fileprivate let handle: OpaquePointer
    /// The file's path, as opened.
    public let path: String

    /// Opens (or creates) the file at `path`, waiting up to 10 s for another process's lock.
    public init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SanjiError(.io, "cannot open \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
    }

    /// The store file of the node at `directory`.
    public convenience init(store directory: URL, readOnly: Bool = false) throws {
        try self.init(path: NodeStore.databaseURL(in: directory).path, readOnly: readOnly)
    }

    deinit { sqlite3_close_v2(handle) }

    fileprivate func error(_ sql: String) -> SanjiError {
        SanjiError(.io, "\(path): \(String(cString: sqlite3_errmsg(handle))) (in \(sql))")
    }

    /// Compiles `sql` into a statement to bind and run many times.
    public func prepare(_ sql: String) throws -> Statement { try Statement(self, sql) }

    /// Runs `sql` with `arguments`; returns its rows.
    @discardableResult
    public func rows(_ sql: String, _ arguments: [Value] = []) throws -> [Row] {
        let s = try prepare(sql)
        s.bind(arguments)
        return try s.run()
    }

    /// Runs `sql` (a statement that returns nothing, or whose rows are not wanted).
    public func execute(_ sql: String, _ arguments: [Value] = []) throws {
        if arguments.isEmpty {
            guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw error(sql) }
        } else {
            try rows(sql, arguments)
        }
    }

    /// The first column of the first row, as an integer (nil when there is no row or it is NULL).
    public func int(_ sql: String, _ arguments: [Value] = []) throws -> Int? { try rows(sql, arguments).first?[0].int.map(Int.init) }

    /// The first column of the first row, as text.
    public func text(_ sql: String, _ arguments: [Value] = []) throws -> String? { try rows(sql, arguments).first?[0].text }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

extension RawDatabase.Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// A text value from a string literal.
    public init(stringLiteral value: String) { self = .text(value) }
    /// An integer value from an integer literal.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A text value.
    public init(_ value: String) { self = .text(value) }
    /// An integer value.
    public init(_ value: Int) { self = .int(Int64(value)) }
    /// An integer value.
    public init(_ value: Int64) { self = .int(value) }
}

extension NodeStore {
    /// Creates a store file in `directory` with the schema as it was after `migration` (to test
    /// how a store written by an older version is opened). The node is not initialised.
    @_spi(Testing)
    public static func createSchema(in directory: URL, upTo migration: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: databaseURL(in: directory).path)
        try Migrations.migrator.migrate(queue, upTo: migration)
        try queue.close()
    }
}
