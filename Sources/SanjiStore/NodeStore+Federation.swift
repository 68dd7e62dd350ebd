import Foundation
import GRDB
import SanjiCore

/// How this node links to others.
public struct LinkConfig: Sendable, Equatable {
    /// Where children connect (`tcp://0.0.0.0:7701`); nil on a node without children.
    public var listen: String?
    /// The endpoint bound last time, when `listen` names a wildcard port (`tcp://127.0.0.1:*`).
    public var listenResolved: String?
    public var parent: String?
    public var parentKey: String?
    /// Learnt from WELCOME.
    public var parentId: String?
}

/// One link as `sanji serve` last saw it.
public struct LinkRecord: Sendable, Equatable {
    public var peer: String
    /// "parent" or "child".
    public var role: String
    public var endpoint: String?
    public var state: String
    public var lastHeardAt: Int64?
    public var cursor: UInt64?
    public var catalogSeq: UInt64?
    public var detail: String?
    public var updatedAt: Int64

    public init(peer: String, role: String, endpoint: String?, state: String, lastHeardAt: Int64?, cursor: UInt64?,
                catalogSeq: UInt64?, detail: String?, updatedAt: Int64) {
        self.peer = peer
        self.role = role
        self.endpoint = endpoint
        self.state = state
        self.lastHeardAt = lastHeardAt
        self.cursor = cursor
        self.catalogSeq = catalogSeq
        self.detail = detail
        self.updatedAt = updatedAt
    }
}

/// What a parent did with a child's batch.
public struct ApplyResult: Sendable, Equatable {
    public var cursor: UInt64
    public var applied: Int
    /// A gap: the batch starts above the cursor, nothing was committed.
    public var gap: Bool
    /// One reason per refused node row, and one per origin of refused summary rows.
    public var refused: [(code: UInt16, reason: String)]
    /// How many rows of the batch were refused.
    public var refusedRows: Int

    public static func == (a: ApplyResult, b: ApplyResult) -> Bool {
        a.cursor == b.cursor && a.applied == b.applied && a.gap == b.gap && a.refused.map(\.reason) == b.refused.map(\.reason)
    }
}

extension NodeStore {
    // MARK: Keys

    public var keysDirectory: URL { directory.appendingPathComponent("keys") }

    /// Writes the node's CURVE keypair: the secret key readable by the owner only (0600).
    public func saveKeys(publicKey: String, secretKey: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: keysDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let secret = keysDirectory.appendingPathComponent("node.key").path
        guard fm.createFile(atPath: secret, contents: Data((secretKey + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SanjiError(.io, "cannot write \(secret)")
        }
        try (publicKey + "\n").write(to: keysDirectory.appendingPathComponent("node.pub"), atomically: true, encoding: .utf8)
    }

    public func loadKeys() throws -> (publicKey: String, secretKey: String) {
        func read(_ name: String) throws -> String {
            let path = keysDirectory.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SanjiError(.io, "\(path) is missing or unreadable", hint: "restore the node's keys from a backup, or re-initialise and re-enrol the node")
            }
            return String(decoding: data, as: UTF8.self).trimmingSpaces
        }
        return (try read("node.pub"), try read("node.key"))
    }

    // MARK: Link configuration

    public func linkConfig() throws -> LinkConfig {
        try pool.read { db in
            LinkConfig(listen: try Meta.get(db, .listen), listenResolved: try Meta.get(db, .listenResolved),
                       parent: try Meta.get(db, .parent), parentKey: try Meta.get(db, .parentKey), parentId: try Meta.get(db, .parentId))
        }
    }

    public func setLinkConfig(listen: String?, parentKey: String?) throws {
        try pool.write { db in
            if let listen { try Meta.set(db, .listen, listen) }
            if let parentKey { try Meta.set(db, .parentKey, parentKey) }
        }
    }

    public func setResolvedListen(_ endpoint: String) throws {
        try pool.write { db in try Meta.set(db, .listenResolved, endpoint) }
    }

    public func setParentId(_ id: String) throws {
        try pool.write { db in try Meta.set(db, .parentId, id) }
    }

    // MARK: Enrolment

    /// Enrols a child: its id and public key. Re-enrolling a known child replaces its key.
    public func enroll(id: String, publicKey: String, name: String?, level: Level?, now: Timestamp = .now()) throws -> NodeEnrolment {
        if let problem = NodeIdentity.validate(id: id) { throw SanjiError(.invalidArgument, "--id \(id): \(problem)") }
        guard id != identity.id else { throw SanjiError(.invalidArgument, "a node cannot enrol itself") }
        guard identity.level != .village else { throw SanjiError(.invalidArgument, "a village node has no children to enrol") }
        let below = Level.allCases[identity.level.depth + 1]
        let childLevel = level ?? below
        guard childLevel > identity.level else {
            throw SanjiError(.invalidArgument, "a \(childLevel.rawValue) cannot be a child of this \(identity.level.rawValue) node")
        }
        return try pool.write { db in
            if let other = try String.fetchOne(db, sql: "SELECT id FROM node WHERE public_key = ? AND id != ?", arguments: [publicKey, id]) {
                throw SanjiError(.invalidArgument, "that key is already enrolled for node \(other); every node has its own key")
            }
            if let row = try Row.fetchOne(db, sql: "SELECT parent FROM node WHERE id = ?", arguments: [id]),
               let parent = row["parent"] as String?, parent != identity.id {
                throw SanjiError(.invalidArgument, "node \(id) is already enrolled under \(parent)", hint: "a node belongs to one parent only")
            }
            var rev = try Counter.value(db, .rev)
            rev += 1
            let existingName = try String.fetchOne(db, sql: "SELECT name FROM node WHERE id = ?", arguments: [id])
            let finalName = name ?? existingName ?? id
            try db.execute(sql: """
                INSERT INTO node (id, name, level, parent, enrolled_at, public_key, revoked, enroll_origin_rev, enroll_rev)
                VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent,
                  enrolled_at = excluded.enrolled_at, public_key = excluded.public_key, revoked = 0,
                  enroll_origin_rev = excluded.enroll_origin_rev, enroll_rev = excluded.enroll_rev
                """, arguments: [id, finalName, childLevel.rawValue, identity.id, now.seconds, publicKey, rev, rev])
            try Counter.set(db, .rev, rev)
            return NodeEnrolment(subject: id, originRev: UInt64(rev), parent: identity.id, level: childLevel, name: finalName,
                                 enrolledAt: now.seconds, revoked: false)
        }
    }

    /// Revokes a child enrolled here: its key is refused from now on (new connections and open
    /// ones alike); its past rows stay and count, and the revocation travels up as its enrolment.
    public func revoke(id: String) throws {
        try pool.write { db in
            guard let parent = try String.fetchOne(db, sql: "SELECT parent FROM node WHERE id = ?", arguments: [id]) else {
                throw SanjiError(.invalidArgument, "no node \(id) is enrolled here")
            }
            guard parent == identity.id else {
                throw SanjiError(.invalidArgument, "\(id) is enrolled under \(parent), not here", hint: "revoke it at \(parent)")
            }
            let rev = try Counter.value(db, .rev) + 1
            try db.execute(sql: "UPDATE node SET revoked = 1, enroll_origin_rev = ?, enroll_rev = ? WHERE id = ?", arguments: [rev, rev, id])
            try Counter.set(db, .rev, rev)
        }
    }

    /// Replaces this node's keypair (the old one is kept as node.key.old / node.pub.old).
    public func rotateKeys(publicKey: String, secretKey: String) throws {
        let fm = FileManager.default
        for name in ["node.key", "node.pub"] {
            let path = keysDirectory.appendingPathComponent(name).path
            let old = path + ".old"
            try? fm.removeItem(atPath: old)
            if fm.fileExists(atPath: path) { try fm.moveItem(atPath: path, toPath: old) }
        }
        try saveKeys(publicKey: publicKey, secretKey: secretKey)
    }

    /// Public key → node id of every child enrolled here and not revoked (the ZAP allow-list).
    public func enrolledChildKeys() throws -> [String: String] {
        try pool.read { db in
            var out: [String: String] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT id, public_key FROM node WHERE parent = ? AND public_key IS NOT NULL AND revoked = 0",
                                      arguments: [identity.id]) {
                out[r["public_key"]] = r["id"]
            }
            return out
        }
    }

    // MARK: This node's own status

    /// Writes this node's status part anew when it changed or is older than `interval` seconds.
    @discardableResult
    public func refreshOwnStatus(now: Timestamp = .now(), interval: Int64 = 60, backlog: Int = 0, clockSkew: Int64 = 0) throws -> Bool {
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
        guard try pool.read(pending) != nil else { return false }
        return try pool.write { db in
            guard let s = try pending(db) else { return false }
            let rev = try Counter.value(db, .rev) + 1
            try db.execute(sql: """
                UPDATE node SET software = ?, catalog_seq = ?, open_cases = ?, overdue_cases = ?, backlog = ?, clock_skew = ?, last_activity = ?,
                  status_as_of = ?, status_origin_rev = ?, status_rev = ? WHERE id = ?
                """, arguments: [SanjiVersion.string, s.seq, s.open, s.overdue, backlog, clockSkew, s.lastActivity, now.seconds, rev, rev, identity.id])
            try Counter.set(db, .rev, rev)
            return true
        }
    }

    // MARK: Upward: reading

    /// Every row with a rev in `(after, to]`, at most about `limit` of each kind; nil when nothing is above `after`.
    public func readBatch(after: UInt64, limit: Int = 1000) throws -> SyncBatch? {
        try pool.read { db in
            let top = UInt64(try Counter.value(db, .rev))
            guard top > after else { return nil }
            let cols = SummaryCounters.columns.joined(separator: ", ")
            var summary: [(UInt64, SummaryRowState)] = []
            let s = try RawStatement(db, "SELECT origin, day, item, origin_rev, rev, \(cols) FROM summary WHERE rev > ? ORDER BY rev LIMIT ?")
            s.bind(1, Int64(after))
            s.bind(2, limit)
            try s.each { r in
                var values: [Int] = []
                for i in 0..<Int32(SummaryCounters.columns.count) { values.append(Int(r.int(5 + i) ?? 0)) }
                summary.append((UInt64(r.int(4) ?? 0), SummaryRowState(
                    origin: r.text(0) ?? "", key: SummaryKey(day: Day(r.text(1) ?? "") ?? Day(number: 0), item: r.text(2) ?? ""),
                    originRev: UInt64(r.int(3) ?? 0), counters: SummaryCounters(values: values))))
            }
            var enrolments: [(UInt64, NodeRowState)] = []
            for r in try Row.fetchAll(db, sql: """
                SELECT id, parent, level, name, enrolled_at, revoked, enroll_origin_rev, enroll_rev, copy_conflict FROM node
                WHERE enroll_rev > ? AND parent IS NOT NULL ORDER BY enroll_rev LIMIT ?
                """, arguments: [after, limit]) {
                enrolments.append((r["enroll_rev"], .enrolment(NodeEnrolment(
                    subject: r["id"], originRev: r["enroll_origin_rev"], parent: r["parent"], level: Level(rawValue: r["level"]) ?? .village,
                    name: r["name"], enrolledAt: r["enrolled_at"], revoked: r["revoked"], copyConflict: r["copy_conflict"]))))
            }
            var statuses: [(UInt64, NodeRowState)] = []
            for r in try Row.fetchAll(db, sql: """
                SELECT id, name, level, software, catalog_seq, open_cases, overdue_cases, backlog, clock_skew, last_activity, status_as_of, status_origin_rev, status_rev
                FROM node WHERE status_rev > ? ORDER BY status_rev LIMIT ?
                """, arguments: [after, limit]) {
                statuses.append((r["status_rev"], .status(NodeStatus(
                    subject: r["id"], originRev: r["status_origin_rev"], name: r["name"], level: Level(rawValue: r["level"]) ?? .village,
                    software: r["software"] ?? "", catalogSeq: r["catalog_seq"] ?? 0, openCases: r["open_cases"] ?? 0,
                    overdueCases: r["overdue_cases"] ?? 0, backlog: r["backlog"] ?? 0, clockSkew: r["clock_skew"] ?? 0, lastActivity: r["last_activity"] ?? 0, asOf: r["status_as_of"] ?? 0))))
            }
            let exceptions = try ExceptionBook.above(db, after: after, limit: limit)
            let seals = try Row.fetchAll(db, sql: "SELECT origin, month, floor, origin_rev, rev FROM month_seal WHERE rev > ? ORDER BY rev LIMIT ?",
                                         arguments: [Int64(after), limit]).map { r in
                (UInt64(r[4] as Int64), MonthSeal(origin: r[0], month: r[1], floor: UInt64(r[2] as Int64), originRev: UInt64(r[3] as Int64)))
            }
            // At most `limit` rows in all, in rev order: the limit-th smallest rev bounds the batch
            // (every row at or below it is within its own table's first `limit`).
            var all: [(rev: UInt64, summary: SummaryRowState?, node: NodeRowState?, exception: ExceptionRowState?, seal: MonthSeal?)] =
                summary.map { ($0.0, $0.1, nil, nil, nil) } + (enrolments + statuses).map { ($0.0, nil, $0.1, nil, nil) }
                + exceptions.map { ($0.rev, nil, nil, $0.row, nil) } + seals.map { ($0.0, nil, nil, nil, $0.1) }
            all.sort { $0.rev < $1.rev }
            var to = top
            if all.count >= limit {
                all = Array(all.prefix(limit))
                to = all.last!.rev
            }
            var nodes = all.compactMap(\.node)
            // The enrolment of every node the batch speaks of, and of its ancestors, goes with it
            // unless the parent already acknowledged it (its rev is at or below `after`): a parent that
            // learns of a node late (or after a re-enrolment gave the enrolment a newer rev) must never
            // refuse that node's rows as unknown. Idempotent at the receiver.
            var have = Set(nodes.compactMap { if case .enrolment(let e) = $0 { e.subject } else { nil } })
            var wanted = Set(all.compactMap { $0.summary?.origin ?? $0.exception?.record.origin ?? $0.seal?.origin } + nodes.map(\.subject))
            var asked: Set<String> = []
            let context = try db.cachedStatement(sql: """
                SELECT id, parent, level, name, enrolled_at, revoked, enroll_origin_rev, enroll_rev, copy_conflict FROM node WHERE id = ? AND parent IS NOT NULL
                """)
            while let id = wanted.popFirst() {
                guard asked.insert(id).inserted, let r = try Row.fetchOne(context, arguments: [id]) else { continue }
                wanted.insert(r["parent"])
                guard (r["enroll_rev"] as Int64?).map({ $0 > Int64(after) }) ?? false else { continue }
                if !have.contains(id) {
                    nodes.append(.enrolment(NodeEnrolment(
                        subject: r["id"], originRev: r["enroll_origin_rev"], parent: r["parent"], level: Level(rawValue: r["level"]) ?? .village,
                        name: r["name"], enrolledAt: r["enrolled_at"], revoked: r["revoked"], copyConflict: r["copy_conflict"])))
                    have.insert(id)
                }
            }
            return SyncBatch(fromRev: after, toRev: to, summary: all.compactMap(\.summary), nodes: nodes, exceptions: all.compactMap(\.exception),
                             seals: all.compactMap(\.seal))
        }
    }

    /// Summary rows, exception records and enrolment parts above `cursor` (status parts left out,
    /// so that a status report never counts itself): the backlog a node reports in its status.
    public func dataBacklog(above cursor: UInt64) throws -> Int {
        try pool.read { db in try Self.count(db, above: cursor, statuses: false) }
    }

    /// Rows with a rev above `cursor`: what the parent has not acknowledged yet.
    public func backlog(above cursor: UInt64) throws -> Int {
        try pool.read { db in try Self.count(db, above: cursor, statuses: true) }
    }

    private static func count(_ db: Database, above cursor: UInt64, statuses: Bool) throws -> Int {
        var sql = [
            "SELECT count(*) FROM summary WHERE rev > ?1", "SELECT count(*) FROM exception_case WHERE rev > ?1",
            "SELECT count(*) FROM exception_review WHERE rev > ?1", "SELECT count(*) FROM month_seal WHERE rev > ?1",
            "SELECT count(*) FROM node WHERE enroll_rev > ?1 AND parent IS NOT NULL",
        ]
        if statuses { sql.append("SELECT count(*) FROM node WHERE status_rev > ?1") }
        return try sql.reduce(0) { $0 + (try Int.fetchOne(db.cachedStatement(sql: $1), arguments: [Int64(cursor)]) ?? 0) }
    }

    // MARK: Link records

    public func recordLinks(_ records: [LinkRecord]) throws {
        guard !records.isEmpty else { return }
        try pool.write { db in
            for r in records {
                try db.execute(sql: """
                    INSERT INTO link (peer, role, endpoint, state, last_heard_at, cursor, catalog_seq, detail, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (peer) DO UPDATE SET role = excluded.role, endpoint = excluded.endpoint, state = excluded.state,
                      last_heard_at = excluded.last_heard_at, cursor = excluded.cursor, catalog_seq = excluded.catalog_seq,
                      detail = excluded.detail, updated_at = excluded.updated_at
                    """, arguments: [r.peer, r.role, r.endpoint, r.state, r.lastHeardAt, r.cursor.map(Int64.init), r.catalogSeq.map(Int64.init), r.detail, r.updatedAt])
            }
        }
    }

    public func links() throws -> [LinkRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM link ORDER BY role DESC, peer").map { r in
                LinkRecord(peer: r["peer"], role: r["role"], endpoint: r["endpoint"], state: r["state"], lastHeardAt: r["last_heard_at"],
                           cursor: (r["cursor"] as Int64?).map(UInt64.init), catalogSeq: (r["catalog_seq"] as Int64?).map(UInt64.init),
                           detail: r["detail"], updatedAt: r["updated_at"])
            }
        }
    }
}

extension NodeStore {
    /// A consistent copy of the store (SQLite's online backup, safe while `serve` writes) and of
    /// the node's keys, into a new directory that can serve as `--data` on a replacement machine.
    public func backup(to target: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path), !((try? fm.contentsOfDirectory(atPath: target.path)) ?? []).isEmpty {
            throw SanjiError(.invalidArgument, "\(target.path) is not empty; back up into a new directory")
        }
        try fm.createDirectory(at: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let copy = try DatabaseQueue(path: NodeStore.databaseURL(in: target).path)
        try pool.backup(to: copy)
        try copy.close()
        let keys = try loadKeys()
        let fmKeys = target.appendingPathComponent("keys")
        try fm.createDirectory(at: fmKeys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard fm.createFile(atPath: fmKeys.appendingPathComponent("node.key").path, contents: Data((keys.secretKey + "\n").utf8),
                            attributes: [.posixPermissions: 0o600]) else { throw SanjiError(.io, "cannot write the key backup") }
        try (keys.publicKey + "\n").write(to: fmKeys.appendingPathComponent("node.pub"), atomically: true, encoding: .utf8)
    }

    /// A backup's integrity check, rev and catalogue sequence, read without opening it as a node
    /// (which would make it a new copy of the station where it lies).
    public static func checkBackup(at directory: URL) throws -> (integrity: String, rev: Int, catalogSeq: Int) {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: databaseURL(in: directory).path, configuration: config)
        defer { try? queue.close() }
        return try queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer", try Counter.value(db, .rev), try Counter.value(db, .catalogSeq))
        }
    }

    /// SQLite's integrity check: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "no answer" }
    }
}
