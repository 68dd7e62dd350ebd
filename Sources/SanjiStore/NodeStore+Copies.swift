import GRDB
import SanjiCore

/// What a parent decided about the copy (incarnation) of a child that said HELLO.
public enum CopyDecision: Equatable, Sendable {
    /// The copy it knows, or the first it hears.
    case accepted
    /// A new copy descending from the one it knew, which is not connected: the station moved to
    /// another PC, or was restored from a backup. `previous` is the copy it replaces.
    case handedOver(previous: String)
    /// Another copy of the station is the one accepted (`current`): two PCs run one station.
    /// Nothing from this copy is taken until someone resolves it (`sanji copies keep`).
    case refused(current: String)
}

/// A child's copies as its parent holds them, for `sanji copies`.
public struct ChildCopies: Equatable, Sendable {
    /// The child's node id.
    public var child: String
    /// The incarnation accepted from it.
    public var current: String
    /// The other incarnation last refused; nil when none is.
    public var refused: String?
    /// When the refused copy was first refused (seconds since the epoch).
    public var refusedFirst: Int64?
    /// When it was last refused (seconds since the epoch).
    public var refusedLast: Int64?
}

extension NodeStore {
    /// Decides whether the copy `incarnation` of `child` may speak (docs/reliability.md). A copy
    /// that is not the accepted one is taken over only when it descends from it (`lineage`) and
    /// the accepted one is not connected (`currentConnected`); otherwise it is refused, and the
    /// refusal is written on the child's enrolment so that it travels up to the root.
    public func admit(child: String, incarnation: String, lineage: [String], currentConnected: Bool, now: Timestamp) throws -> CopyDecision {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT current, refused FROM child_incarnation WHERE child = ?", arguments: [child]) else {
                try db.execute(sql: "INSERT INTO child_incarnation (child, current) VALUES (?, ?)", arguments: [child, incarnation])
                return .accepted
            }
            let current: String = row["current"]
            if incarnation == current { return .accepted }
            if lineage.contains(current), !currentConnected {
                try db.execute(sql: """
                    UPDATE child_incarnation SET current = ?, refused = CASE WHEN refused = ? THEN NULL ELSE refused END,
                      refused_first = CASE WHEN refused = ? THEN NULL ELSE refused_first END WHERE child = ?
                    """, arguments: [incarnation, incarnation, incarnation, child])
                try Self.markCopyConflict(db, child: child, refused: try String.fetchOne(db, sql: "SELECT refused FROM child_incarnation WHERE child = ?", arguments: [child]) ?? "")
                return .handedOver(previous: current)
            }
            try db.execute(sql: """
                UPDATE child_incarnation SET refused = ?, refused_first = CASE WHEN refused = ? THEN refused_first ELSE ? END, refused_last = ?
                WHERE child = ?
                """, arguments: [incarnation, incarnation, now.seconds, now.seconds, child])
            try Self.markCopyConflict(db, child: child, refused: incarnation)
            return .refused(current: current)
        }
    }

    /// Resolves two copies of `child`: `incarnation` is the one to take from now on (the other
    /// should be retired at its PC with `sanji retire`). Clears the conflict up the tree.
    public func keepCopy(child: String, incarnation: String) throws {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT current, refused FROM child_incarnation WHERE child = ?", arguments: [child]) else {
                throw SanjiError(.invalidArgument, "no copy of \(child) has spoken to this node yet", hint: "`sanji copies` lists the children's copies")
            }
            let known = [row["current"] as String, row["refused"] as String?].compactMap { $0 }
            guard known.contains(incarnation) else {
                throw SanjiError(.invalidArgument, "\(child) has no copy \(incarnation); known here: \(known.joined(separator: ", "))")
            }
            try db.execute(sql: "UPDATE child_incarnation SET current = ?, refused = NULL, refused_first = NULL, refused_last = NULL WHERE child = ?",
                           arguments: [incarnation, child])
            try Self.markCopyConflict(db, child: child, refused: "")
        }
    }

    /// The children's copies as this node holds them.
    public func childCopies() throws -> [ChildCopies] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT child, current, refused, refused_first, refused_last FROM child_incarnation ORDER BY child").map {
                ChildCopies(child: $0["child"], current: $0["current"], refused: $0["refused"], refusedFirst: $0["refused_first"], refusedLast: $0["refused_last"])
            }
        }
    }

    /// Writes the refused copy (or "" for none) on the child's enrolment, as a new enrolment rev,
    /// so that it travels to the root; nothing changes if it already says so.
    static func markCopyConflict(_ db: Database, child: String, refused: String) throws {
        guard var enrolment = try NodeRows.enrolment(db, of: child), enrolment.copyConflict != refused else { return }
        let rev = try Counter.value(db, .rev) + 1
        enrolment.copyConflict = refused
        enrolment.originRev = UInt64(rev)
        try NodeRows.put(db, enrolment, rev: rev, onlyIfNewer: false)
        try Counter.set(db, .rev, rev)
    }
}
