import Foundation
import GRDB
import SanjiCore

/// Which copy of a station's store this is (docs/reliability.md, "one identity, one incarnation").
///
/// A store gets a new incarnation when it is made, and again when it finds itself somewhere else
/// than it was (copied to another PC, restored from a backup) or finds that it lost work its parent
/// had acknowledged (a rollback). A new incarnation also starts a new **epoch** of revs: every rev
/// it stamps is above `epoch << 40`, so nothing recorded after a copy or a restore can fall at or
/// below a cursor the parent holds from the earlier copy, whether or not the parent was reachable.
public struct Incarnation: Equatable, Sendable {
    /// 16 hex digits, random.
    public var id: String
    /// Which copy in the line this is: 0 for a new store, one more with each new incarnation.
    public var epoch: Int
    /// The incarnations this one descends from, newest first (at most 16).
    public var lineage: [String]

    /// The bits of a rev below its epoch: epoch `e` stamps revs above `e << 40`.
    public static let epochBits = 40
    /// The rev this incarnation's revs lie above (`epoch << epochBits`).
    public var revFloor: Int { epoch << Self.epochBits }
}

extension NodeStore {
    /// Where the store file lives: its device and inode, and the machine. A directory copied to
    /// another PC, or a backup restored, has another place.
    static func place(of directory: URL) -> String {
        var st = stat()
        guard stat(databaseURL(in: directory).path, &st) == 0 else { return "" }
        let machine = ["/etc/machine-id", "/var/lib/dbus/machine-id"].lazy
            .compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first?.trimmingSpaces ?? ""
        return "\(st.st_dev):\(st.st_ino):\(machine)"
    }

    static func randomIncarnationId() -> String {
        var g = SystemRandomNumberGenerator()
        let v = g.next() as UInt64
        let h = String(v, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }

    static func readIncarnation(_ db: Database) throws -> Incarnation? {
        guard let id = try Meta.get(db, .incarnation) else { return nil }
        let lineage = (try Meta.get(db, .lineage) ?? "").split(separator: ",").map(String.init)
        return Incarnation(id: id, epoch: Int(try Meta.get(db, .epoch) ?? "0") ?? 0, lineage: lineage)
    }

    /// Starts a new incarnation after `previous` (nil for a new store): a new id, the next epoch,
    /// and a rev counter raised to the epoch's floor.
    @discardableResult
    static func beginIncarnation(_ db: Database, after previous: Incarnation?, place: String) throws -> Incarnation {
        let next = Incarnation(id: randomIncarnationId(), epoch: (previous?.epoch ?? -1) + 1,
                               lineage: previous.map { Array(([$0.id] + $0.lineage).prefix(16)) } ?? [])
        try Meta.set(db, .incarnation, next.id)
        try Meta.set(db, .epoch, String(next.epoch))
        try Meta.set(db, .lineage, next.lineage.joined(separator: ","))
        try Meta.set(db, .place, place)
        if try Counter.value(db, .rev) < next.revFloor { try Counter.set(db, .rev, next.revFloor) }
        return next
    }

    /// At open: the store's incarnation, and whether this open began a new one (and why).
    static func checkIncarnation(_ pool: DatabasePool, directory: URL) throws -> (Incarnation, changed: String?) {
        let here = place(of: directory)
        // Decided in a read: every command opens the store, and must not wait for a writer to do so.
        if let held = try pool.read({ db -> Incarnation? in
            guard let held = try readIncarnation(db), let was = try Meta.get(db, .place), was == here || here.isEmpty else { return nil }
            return held
        }) {
            return (held, nil)
        }
        return try pool.write { db in
            let held = try readIncarnation(db)
            let was = try Meta.get(db, .place)
            if let held, let was, was == here || here.isEmpty { return (held, nil) }
            if let held, was == nil {
                // A store from before incarnations knew their place: this is its place.
                try Meta.set(db, .place, here)
                return (held, nil)
            }
            let reason = held == nil ? nil : "this store was copied or restored (it was last opened elsewhere)"
            return (try beginIncarnation(db, after: held, place: here), reason)
        }
    }

    /// This store's incarnation as it stands now.
    public func incarnation() throws -> Incarnation {
        try read { db in try Self.readIncarnation(db) ?? Incarnation(id: "", epoch: 0, lineage: []) }
    }

    /// The parent acknowledged more than this store holds: it lost work since (a restore that
    /// kept its place, a write-ahead log removed while serve ran). Begins a new incarnation and
    /// gives every row and record of this node's own a new rev above the parent's cursor, so that
    /// whatever was recorded since reaches the parent. Returns the new incarnation, or nil when
    /// nothing was lost.
    @discardableResult
    public func recoverFromRollback(parentCursor: UInt64) throws -> Incarnation? {
        try write { db in
            guard Int64(try Counter.value(db, .rev)) < Int64(parentCursor) else { return nil }
            let next = try Self.beginIncarnation(db, after: try Self.readIncarnation(db), place: Self.place(of: directory))
            if try Counter.value(db, .rev) < Int(parentCursor) { try Counter.set(db, .rev, Int(parentCursor)) }
            try Self.restampOwn(db, origin: identity.id, months: nil)
            return next
        }
    }

    /// Gives this node's own summary rows and exception records (of `months`, or all) new revs,
    /// which are also their new origin revs, in key order. With `seal`, each month is followed by
    /// a seal: a parent then drops whatever it holds of the month beyond these rows. Returns how
    /// many were restamped.
    @discardableResult
    static func restampOwn(_ db: Database, origin: String, months: [String]?, seal: Bool = false) throws -> Int {
        var rev = try Counter.value(db, .rev)
        var count = 0
        let ranges: [(String, String)] = months?.filter { $0.utf8.count == 7 }.map { ($0 + "-01", $0 + "-31") } ?? [("0000-00-00", "9999-99-99")]
        for (first, last) in ranges {
            let floor = rev + 1
            let keys = try Row.fetchAll(db, sql: "SELECT day, item FROM summary WHERE origin = ? AND day BETWEEN ? AND ? ORDER BY day, item",
                                        arguments: [origin, first, last])
            let update = try db.cachedStatement(sql: "UPDATE summary SET origin_rev = ?, rev = ? WHERE origin = ? AND day = ? AND item = ?")
            for k in keys {
                rev += 1
                try update.execute(arguments: [rev, rev, origin, k["day"] as String, k["item"] as String])
                count += 1
            }
            let units = try Row.fetchAll(db, sql: "SELECT kind, unit, day FROM summary_unit WHERE origin = ? AND day BETWEEN ? AND ? ORDER BY day, kind, unit",
                                         arguments: [origin, first, last])
            let updateUnit = try db.cachedStatement(sql: "UPDATE summary_unit SET origin_rev = ?, rev = ? WHERE origin = ? AND kind = ? AND unit = ? AND day = ?")
            for k in units {
                rev += 1
                try updateUnit.execute(arguments: [rev, rev, origin, k[0] as String, k[1] as String, k[2] as String])
                count += 1
            }
            for (table, key, day) in [("exception_case", "case_no", "accepted_day"), ("exception_review", "eval_id", "day")] {
                let ids = try String.fetchAll(db, sql: "SELECT \(key) FROM \(table) WHERE origin = ? AND \(day) BETWEEN ? AND ? ORDER BY \(key)",
                                              arguments: [origin, first, last])
                for id in ids {
                    rev += 1
                    try db.execute(sql: "UPDATE \(table) SET origin_rev = ?, rev = ? WHERE origin = ? AND \(key) = ?", arguments: [rev, rev, origin, id])
                    count += 1
                }
            }
            if seal, months != nil {
                rev += 1
                try SealRows.put(db, MonthSeal(origin: origin, month: String(first.prefix(7)), floor: UInt64(floor), originRev: UInt64(rev)), rev: rev)
            }
        }
        try Counter.set(db, .rev, rev)
        return count
    }
}

extension NodeStore {
    /// Moves the station: a consistent copy of the store and keys into `target` (which becomes a
    /// new copy when it is first opened there), then this copy is retired: it refuses to record or
    /// serve from now on, so the two can never run at once by mistake. `serve` must be stopped.
    public func retire(to target: URL, now: Timestamp? = nil) throws {
        let now = now ?? clock.now
        if let pid = ServeLock.holder(in: directory) {
            throw SanjiError(.invalidArgument, "sanji serve (pid \(pid)) still runs on \(directory.path)", hint: "stop it first, then retire this copy")
        }
        try backup(to: target)
        try write { db in try Meta.set(db, .retired, "on \(zone.format(now)), moved to \(target.path)") }
    }

    /// When and where this copy was retired, if it was.
    public func retired() throws -> String? { try read { try Meta.get($0, .retired) } }
}
