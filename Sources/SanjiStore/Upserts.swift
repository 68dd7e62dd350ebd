import GRDB
import SanjiCore

// The one statement each kind of row is written with. Every path that writes a kind (a clerk's
// command, an import, a child's batch, a rebuild, a restamp) goes through its helper here, so
// that "highest origin rev wins" and the rev stamping are decided in one place per kind.

/// Rows of counters keyed by text columns (summary rows, window and staff rows): one prepared
/// statement for the three ways they are written.
final class CounterUpsert {
    enum Mode {
        /// This station's own deltas: counters are added to what is held.
        case add
        /// A row as its origin last sent it: replaces the held one only if its origin rev is higher.
        case newer
        /// This station's recomputed row: replaces the held one.
        case replace
    }

    private let statement: RawStatement
    private let keyCount: Int32

    init(_ db: Database, table: String, keys: [String], _ mode: Mode) throws {
        let cols = SummaryCounters.columns
        let set = mode == .add ? cols.map { "\($0) = \($0) + excluded.\($0)" } : cols.map { "\($0) = excluded.\($0)" }
        keyCount = Int32(keys.count)
        statement = try RawStatement(cached: db, """
            INSERT INTO \(table) (\((keys + cols).joined(separator: ", ")), origin_rev, rev)
            VALUES (\(Array(repeating: "?", count: keys.count + cols.count + 2).joined(separator: ", ")))
            ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET \(set.joined(separator: ", ")), origin_rev = excluded.origin_rev, rev = excluded.rev
            \(mode == .newer ? "WHERE excluded.origin_rev > \(table).origin_rev" : "")
            """)
    }

    /// Binds key column `index` (1-based, in the order given at init) for the next `run`.
    func key(_ index: Int32, _ value: String) { statement.bind(index, value) }
    func key(_ index: Int32, _ day: Day) { statement.bind(index, day) }

    /// Writes one row with the keys bound; false when nothing changed. (Keys are bound one by one,
    /// not passed as an array: this runs for every row an import or a child's batch writes.)
    @discardableResult
    func run(counters: SummaryCounters, originRev: Int64, rev: Int64) throws -> Bool {
        var i = keyCount + 1
        counters.forEachValue { v in
            statement.bind(i, v)
            i += 1
        }
        statement.bind(i, originRev)
        statement.bind(i + 1, rev)
        return try statement.run() > 0
    }
}

/// Summary rows: (origin, day, item) → counters, origin rev and this node's rev.
final class SummaryUpsert {
    typealias Mode = CounterUpsert.Mode
    private let upsert: CounterUpsert

    init(_ db: Database, _ mode: Mode) throws { upsert = try CounterUpsert(db, table: "summary", keys: ["origin", "day", "item"], mode) }

    /// Writes one row; false when nothing changed (a row as new was held, in `newer` mode).
    @discardableResult
    func run(origin: String, key: SummaryKey, counters: SummaryCounters, originRev: Int64, rev: Int64) throws -> Bool {
        upsert.key(1, origin)
        upsert.key(2, key.day)
        upsert.key(3, key.item)
        return try upsert.run(counters: counters, originRev: originRev, rev: rev)
    }
}

/// Node rows: a node's enrolment (who it is, under whom) and its status (its own report of itself).
enum NodeRows {
    static let enrolmentColumns = "id, parent, level, name, enrolled_at, revoked, enroll_origin_rev, enroll_rev, copy_conflict"

    /// An enrolment read with `enrolmentColumns`.
    static func enrolment(_ r: Row) -> NodeEnrolment {
        NodeEnrolment(subject: r["id"], originRev: r["enroll_origin_rev"], parent: r["parent"], level: Level(rawValue: r["level"]) ?? .village,
                      name: r["name"], enrolledAt: r["enrolled_at"], revoked: r["revoked"], copyConflict: r["copy_conflict"])
    }

    /// The enrolment of `id`, if it has a parent.
    static func enrolment(_ db: Database, of id: String) throws -> NodeEnrolment? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(enrolmentColumns) FROM node WHERE id = ? AND parent IS NOT NULL"), arguments: [id]).map(enrolment)
    }

    /// Writes an enrolment stamped with `rev`. `publicKey`: set when this node enrols the child
    /// itself (kept as held otherwise). `onlyIfNewer`: a relayed enrolment replaces the held one
    /// only if its origin rev is higher. Returns whether it was written.
    @discardableResult
    static func put(_ db: Database, _ e: NodeEnrolment, rev: Int, publicKey: String? = nil, onlyIfNewer: Bool) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT INTO node (id, name, level, parent, enrolled_at, public_key, revoked, enroll_origin_rev, enroll_rev, copy_conflict)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent,
              enrolled_at = excluded.enrolled_at, public_key = coalesce(excluded.public_key, node.public_key), revoked = excluded.revoked,
              enroll_origin_rev = excluded.enroll_origin_rev, enroll_rev = excluded.enroll_rev, copy_conflict = excluded.copy_conflict
            WHERE NOT ? OR excluded.enroll_origin_rev > node.enroll_origin_rev
            """).execute(arguments: [e.subject, e.name, e.level.rawValue, e.parent, e.enrolledAt, publicKey, e.revoked, Int64(e.originRev), rev,
                                     e.copyConflict, onlyIfNewer])
        return db.changesCount > 0
    }

    /// When `id` was last heard from (a child's batch) or was last active (this station's own work).
    static func heard(_ db: Database, _ id: String, at time: Timestamp) throws {
        try db.cachedStatement(sql: "UPDATE node SET last_heard_at = ? WHERE id = ?").execute(arguments: [time.seconds, id])
    }

    /// Writes a node's status stamped with `rev`, if its origin rev is above the one held.
    @discardableResult
    static func put(_ db: Database, _ s: NodeStatus, rev: Int) throws -> Bool {
        try db.cachedStatement(sql: """
            UPDATE node SET name = ?, software = ?, catalog_seq = ?, open_cases = ?, overdue_cases = ?, backlog = ?, clock_skew = ?,
              last_activity = ?, status_as_of = ?, status_origin_rev = ?, status_rev = ?
            WHERE id = ? AND status_origin_rev < ?
            """).execute(arguments: [s.name, s.software, Int64(s.catalogSeq), s.openCases, s.overdueCases, s.backlog, s.clockSkew, s.lastActivity,
                                     s.asOf, Int64(s.originRev), rev, s.subject, Int64(s.originRev)])
        return db.changesCount > 0
    }
}

/// Month seals: an origin's rows of a month are all it sent from `floor` on.
enum SealRows {
    static func put(_ db: Database, _ seal: MonthSeal, rev: Int) throws {
        try db.cachedStatement(sql: """
            INSERT INTO month_seal (origin, month, floor, origin_rev, rev) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (origin, month) DO UPDATE SET floor = excluded.floor, origin_rev = excluded.origin_rev, rev = excluded.rev
            """).execute(arguments: [seal.origin, seal.month, Int64(seal.floor), Int64(seal.originRev), rev])
    }
}
