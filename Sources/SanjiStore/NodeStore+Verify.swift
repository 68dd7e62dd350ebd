import GRDB
import SanjiCore

/// A node below this one, as the agreement check lists it.
public struct SubtreeNode: Equatable, Sendable {
    /// The node's id and name.
    public var id, name: String
    /// Its level.
    public var level: Level
    /// Its parent's node id.
    public var parent: String
    /// A second copy of the node its parent refuses (two PCs running one station), or "".
    public var copyConflict = ""
}

/// The agreement check (docs/reliability.md): digests of summary rows per origin and month,
/// the ledger of questions `sanji verify` asks through `sanji serve`, and healing by restamping.
extension NodeStore {
    // MARK: Digests

    /// The digests of `origin`'s rows as this store holds them (its own rows by default).
    public func digests(origin: String? = nil) throws -> [MonthDigest] {
        try read { db in
            var builder = DigestBuilder()
            let cols = SummaryCounters.columns.joined(separator: ", ")
            let origin = origin ?? identity.id
            let rows = try Row.fetchCursor(db, sql: "SELECT day, item, origin_rev, \(cols) FROM summary WHERE origin = ?", arguments: [origin])
            let n = SummaryCounters.columns.count
            while let r = try rows.next() {
                let originRev: Int64 = r[2]
                builder.add(origin: origin, day: r[0], item: r[1], counters: (0..<n).map { r[$0 + 3] }, originRev: UInt64(originRev))
            }
            // Window rows, and staff rows while they travel: what a parent's copy should hold.
            let units = try Row.fetchCursor(db, sql: "SELECT kind, unit, day, origin_rev, \(cols) FROM summary_unit WHERE origin = ? AND \(UnitRows.travels)",
                                            arguments: [origin])
            while let r = try units.next() {
                guard let kind = UnitKind(rawValue: r[0]) else { continue }
                let originRev: Int64 = r[3]
                builder.add(origin: origin, day: r[2], kind: kind, unit: r[1], counters: (0..<n).map { r[$0 + 4] }, originRev: UInt64(originRev))
            }
            for r in try Row.fetchAll(db, sql: "SELECT \(ExceptionBook.caseColumns), origin_rev FROM exception_case WHERE origin = ?", arguments: [origin]) {
                builder.add(.overdueCase(ExceptionBook.readCase(r)), originRev: UInt64(r[ExceptionBook.caseWidth] as Int64))
            }
            for r in try Row.fetchAll(db, sql: "SELECT \(ExceptionBook.reviewColumns), origin_rev FROM exception_review WHERE origin = ?", arguments: [origin]) {
                builder.add(.badReview(ExceptionBook.readReview(r)), originRev: UInt64(r[ExceptionBook.reviewWidth] as Int64))
            }
            return builder.digests
        }
    }

    /// Gives this node's own rows and exception records of `months` new revs (as their origin revs
    /// too), so that they travel up the tree again and replace whatever copy a parent holds.
    /// Returns the rows restamped.
    @discardableResult
    public func restamp(months: [String], seal: Bool = false) throws -> Int {
        try write { db in try Self.restampOwn(db, origin: identity.id, months: months, seal: seal) }
    }

    // MARK: The tree below

    /// Every enrolled, unrevoked node below this one.
    public func subtree() throws -> [SubtreeNode] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, level, parent, copy_conflict FROM node WHERE id <> ? AND revoked = 0 AND parent IS NOT NULL ORDER BY id",
                             arguments: [identity.id]).map {
                SubtreeNode(id: $0["id"], name: $0["name"], level: Level(rawValue: $0["level"]) ?? .village, parent: $0["parent"],
                            copyConflict: $0["copy_conflict"])
            }
        }
    }

    /// The direct child of this node whose subtree holds `node` (the node itself if it is a
    /// child); nil when `node` is not below this one.
    public func childToward(_ node: String) throws -> String? {
        try read { db in
            var current = node
            for _ in 0..<8 {
                guard current != identity.id,
                      let parent = try String.fetchOne(db, sql: "SELECT parent FROM node WHERE id = ?", arguments: [current]) else { return nil }
                if parent == identity.id { return current }
                current = parent
            }
            return nil
        }
    }

    // MARK: Questions and answers

    /// Files a new question for `sanji serve` to send down; returns its id (random, so that
    /// nodes relaying answers can tell their own questions from their parents').
    public func askVerify(now: Timestamp? = nil) throws -> UInt64 {
        let now = now ?? clock.now
        return try write { db in
            let id = Int64.random(in: 1...Int64.max)
            try db.execute(sql: "INSERT INTO verify_request (id, asked_at) VALUES (?, ?)", arguments: [id, now.seconds])
            return UInt64(id)
        }
    }

    /// The questions `sanji verify` filed that serve has not sent down yet.
    public func unsentVerifyRequests() throws -> [UInt64] {
        try read { db in try Int64.fetchAll(db, sql: "SELECT id FROM verify_request WHERE sent_at IS NULL").map { UInt64($0) } }
    }

    /// Notes that serve sent question `id` down.
    public func markVerifySent(_ id: UInt64, now: Timestamp? = nil) throws {
        let now = now ?? clock.now
        try write { db in try db.execute(sql: "UPDATE verify_request SET sent_at = ? WHERE id = ?", arguments: [now.seconds, Int64(id)]) }
    }

    /// What a parent does with a digest `child` relayed: refuse it (its origin is not the child
    /// or in its subtree), file it (the question is this node's), or pass it up.
    public enum DigestRoute: Sendable, Equatable { case notItsSubtree, filed, passUp }

    /// Files a relayed digest if the question is this node's (else says to pass it up); a
    /// child answers for itself and its enrolled subtree only, as with its rows.
    public func takeDigest(from child: String, request: UInt64, origin: String, months: [MonthDigest]) throws -> DigestRoute {
        guard try childToward(origin) == child else { return .notItsSubtree }
        guard try isOwnVerify(request) else { return .passUp }
        try recordDigest(request: request, origin: origin, months: months)
        return .filed
    }

    /// True when question `id` was asked here (its answers are filed), false when it came from above.
    public func isOwnVerify(_ id: UInt64) throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM verify_request WHERE id = ?", arguments: [Int64(id)]) ?? false }
    }

    /// Files `origin`'s answer to question `request`, replacing an earlier answer from it.
    public func recordDigest(request: UInt64, origin: String, months: [MonthDigest], now: Timestamp? = nil) throws {
        let now = now ?? clock.now
        try write { db in
            try db.execute(sql: "DELETE FROM verify_digest WHERE request = ? AND origin = ?", arguments: [Int64(request), origin])
            for m in months {
                try db.execute(sql: "INSERT INTO verify_digest (request, origin, month, rows, digest, max_origin_rev) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [Int64(request), origin, m.month, m.rows, Int64(m.digest), Int64(m.maxOriginRev)])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO verify_answer (request, origin, received_at) VALUES (?, ?, ?)",
                           arguments: [Int64(request), origin, now.seconds])
        }
    }

    /// The digests each origin has answered with so far.
    public func verifyAnswers(request: UInt64) throws -> [String: [MonthDigest]] {
        try read { db in
            var out: [String: [MonthDigest]] = [:]
            for origin in try String.fetchAll(db, sql: "SELECT origin FROM verify_answer WHERE request = ?", arguments: [Int64(request)]) {
                out[origin] = []
            }
            for r in try Row.fetchAll(db, sql: "SELECT origin, month, rows, digest, max_origin_rev FROM verify_digest WHERE request = ? ORDER BY origin, month",
                                      arguments: [Int64(request)]) {
                let digest: Int64 = r["digest"], maxRev: Int64 = r["max_origin_rev"]
                out[r["origin"], default: []].append(MonthDigest(month: r["month"], rows: r["rows"], digest: UInt64(digest), maxOriginRev: UInt64(maxRev)))
            }
            return out
        }
    }

    /// Forgets a finished question and its answers.
    public func finishVerify(request: UInt64) throws {
        try write { db in
            for table in ["verify_digest", "verify_answer"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE request = ?", arguments: [Int64(request)])
            }
            try db.execute(sql: "DELETE FROM verify_request WHERE id = ?", arguments: [Int64(request)])
        }
    }

    // MARK: Healing

    /// Files a request that `origin` send its rows of `months` again; `sanji serve` routes it down
    /// as soon as the child toward `origin` is connected.
    /// With `seal`, the origin also seals each month: its parents drop whatever they hold of it
    /// beyond what it sends (`sanji verify --drop-extra`).
    public func askHeal(origin: String, months: [String], seal: Bool = false, now: Timestamp? = nil) throws {
        let now = now ?? clock.now
        try write { db in
            try db.execute(sql: "INSERT INTO heal_request (origin, months, asked_at, seal) VALUES (?, ?, ?, ?)",
                           arguments: [origin, months.joined(separator: ","), now.seconds, seal])
        }
    }

    /// The heal requests serve has not sent down yet, oldest first.
    public func unsentHeals() throws -> [(id: Int64, origin: String, months: [String], seal: Bool)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, origin, months, seal FROM heal_request WHERE sent_at IS NULL ORDER BY id").map {
                ($0["id"], $0["origin"], ($0["months"] as String).split(separator: ",").map(String.init), $0["seal"])
            }
        }
    }

    /// Notes that serve sent heal request `id` down.
    public func markHealSent(_ id: Int64, now: Timestamp? = nil) throws {
        let now = now ?? clock.now
        try write { db in try db.execute(sql: "UPDATE heal_request SET sent_at = ? WHERE id = ?", arguments: [now.seconds, id]) }
    }
}
