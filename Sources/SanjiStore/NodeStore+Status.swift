import GRDB
import SanjiCore

extension NodeStore {
    // MARK: This node's own status

    /// Writes this node's status part anew when it changed or is older than `interval` seconds.
    @discardableResult
    public func refreshOwnStatus(now: Timestamp? = nil, interval: Int64 = 60, backlog: Int = 0, clockSkew: Int64 = 0) throws -> Bool {
        let now = now ?? clock.now
        let today = zone.day(of: now)
        // What the status would say, and whether the stored one already says it (and is fresh).
        func pending(_ db: Database) throws -> (open: Int, overdue: Int, seq: Int, lastActivity: Int64)? {
            let (open, overdue) = try Self.openCases(db, today: today)
            let seq = try Counter.value(db, .catalogSeq)
            guard let row = try Row.fetchOne(db, sql: "SELECT open_cases, overdue_cases, catalog_seq, software, last_heard_at, status_as_of, backlog, clock_skew FROM node WHERE id = ?",
                                             arguments: [identity.id]) else { return nil }
            let unchanged = row["open_cases"] as Int? == open && row["overdue_cases"] as Int? == overdue && row["catalog_seq"] as Int? == seq
                && row["software"] as String? == SanjiVersion.string && row["backlog"] as Int? == backlog && row["clock_skew"] as Int64? == clockSkew
            if unchanged, let asOf = row["status_as_of"] as Int64?, now.seconds - asOf < interval { return nil }
            return (open, overdue, seq, row["last_heard_at"] ?? 0)
        }
        // Serve calls this every 2 s: decide in a read, and take the write lock only to change something.
        guard try read(pending) != nil else { return false }
        return try write { db in
            guard let s = try pending(db) else { return false }
            let rev = try Counter.value(db, .rev) + 1
            let status = NodeStatus(subject: identity.id, originRev: UInt64(rev), name: identity.name, level: identity.level, software: SanjiVersion.string,
                                    catalogSeq: UInt64(s.seq), openCases: s.open, overdueCases: s.overdue, backlog: backlog, clockSkew: clockSkew,
                                    lastActivity: s.lastActivity, asOf: now.seconds)
            guard try NodeRows.put(db, status, rev: rev) else { return false }
            try Counter.set(db, .rev, rev)
            return true
        }
    }
}
