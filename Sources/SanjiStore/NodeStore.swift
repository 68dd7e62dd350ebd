import Foundation
import GRDB
import SanjiCore

/// One node's SQLite store: a `DatabasePool` (WAL) for the life of the process, so that CLI
/// commands and the dashboard can read and write while `sanji serve` runs.
///
/// The store is sealed: no caller sees SQL, GRDB or SQLite. Every method throws ``SanjiError``
/// (SQLite's failures explained in words an operator can act on, see `StoreFailure`), and the
/// only door to raw SQL is the `Testing` SPI (``RawDatabase``), for tests and benchmarks.
public final class NodeStore: Sendable {
    let pool: DatabasePool
    /// Who this node is: its id, name, level, time zone and parent endpoint.
    public let identity: NodeIdentity
    /// The node's time zone: how local times are read and days cut.
    public let zone: ZoneRule
    /// The node's data directory: the store file, `keys/` and `serve.lock`.
    public let directory: URL
    /// The node tree as `applyBatch` last read it (see `TreeCache`).
    let treeCache = TreeCache()
    /// Set when opening this store began a new incarnation (it was copied or restored): why.
    public let newIncarnationReason: String?
    /// How long a write waits for another process's transaction.
    let busyTimeout: TimeInterval
    /// Where "now" comes from when a method is not told the time.
    public let clock: WallClock

    /// The store file's name in a data directory.
    public static let fileName = "sanji.sqlite"

    private init(pool: DatabasePool, identity: NodeIdentity, directory: URL, clock: WallClock, newIncarnationReason: String? = nil,
                 busyTimeout: TimeInterval = 10) throws {
        guard let zone = ZoneRule(identifier: identity.timeZone) else {
            throw SanjiError(.invalidArgument, "the store names an unknown time zone \(identity.timeZone)")
        }
        self.pool = pool
        self.identity = identity
        self.zone = zone
        self.directory = directory
        self.newIncarnationReason = newIncarnationReason
        self.busyTimeout = busyTimeout
        self.clock = clock
    }

    /// The store file of the data directory `directory`.
    public static func databaseURL(in directory: URL) -> URL { directory.appendingPathComponent(fileName) }

    /// Runs `body` in a read transaction; SQLite's failures come out as ``SanjiError``s.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let e as DatabaseError { throw StoreFailure.explain(e, directory: directory) }
    }

    /// Runs `body` in a write transaction (all or nothing); SQLite's failures come out as ``SanjiError``s.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let e as DatabaseError { throw StoreFailure.explain(e, directory: directory) }
    }

    /// Whether `directory` holds a store file.
    public static func exists(in directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: databaseURL(in: directory).path)
    }

    /// Creates the data directory and store of a new node (`sanji init`).
    public static func create(in directory: URL, identity: NodeIdentity, clock: WallClock = .system) throws -> NodeStore {
        try explaining(directory) { try makeStore(in: directory, identity: identity, clock: clock) }
    }

    private static func makeStore(in directory: URL, identity: NodeIdentity, clock: WallClock) throws -> NodeStore {
        let now = clock.now
        if let problem = NodeIdentity.validate(id: identity.id) { throw SanjiError(.invalidArgument, "--id \(identity.id): \(problem)") }
        guard ZoneRule(identifier: identity.timeZone) != nil else {
            throw SanjiError(.invalidArgument, "--time-zone \(identity.timeZone) is not a known IANA time zone", hint: "e.g. Asia/Shanghai, Asia/Urumqi")
        }
        guard !exists(in: directory) else {
            throw SanjiError(.alreadyInitialized, "\(directory.path) already holds a Sanji node",
                             hint: "use another --data directory, or remove this one if you really mean to start over")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SanjiError(.io, "cannot create \(directory.path): \(error.localizedDescription)")
        }
        let pool = try openPool(directory, clock: clock)
        try pool.write { db in
            try Meta.set(db, .nodeId, identity.id)
            try Meta.set(db, .nodeName, identity.name)
            try Meta.set(db, .level, identity.level.rawValue)
            try Meta.set(db, .timeZone, identity.timeZone)
            if let parent = identity.parent { try Meta.set(db, .parent, parent) }
            try Meta.set(db, .createdAt, String(now.seconds))
            try db.execute(
                sql: "INSERT INTO node (id, name, level, parent, enrolled_at, last_heard_at) VALUES (?, ?, ?, NULL, ?, ?)",
                arguments: [identity.id, identity.name, identity.level.rawValue, now.seconds, now.seconds])
        }
        _ = try pool.write { db in try beginIncarnation(db, after: nil, place: place(of: directory)) }
        return try NodeStore(pool: pool, identity: identity, directory: directory, clock: clock)
    }

    /// Opens the store of an initialised node.
    /// `busyTimeout`: how long a write waits for another process's transaction. `sanji serve`
    /// uses a short one, so that a clerk's long import delays a batch (it is resent) rather than
    /// freezing the socket loop and its heartbeats.
    /// `allowRetired`: open a copy retired by `sanji retire` (to look at it or export from it);
    /// otherwise that is refused, naming where the station went.
    /// `clock`: where "now" comes from when a method is not told the time.
    public static func open(in directory: URL, busyTimeout: TimeInterval = 10, allowRetired: Bool = false, clock: WallClock = .system) throws -> NodeStore {
        try explaining(directory) { try openStore(in: directory, busyTimeout: busyTimeout, allowRetired: allowRetired, clock: clock) }
    }

    /// SQLite's failures while opening or creating, explained (`StoreFailure`).
    private static func explaining<T>(_ directory: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError { throw StoreFailure.explain(e, directory: directory) }
    }

    private static func openStore(in directory: URL, busyTimeout: TimeInterval, allowRetired: Bool, clock: WallClock) throws -> NodeStore {
        guard exists(in: directory) else {
            throw SanjiError(.notInitialized, "no Sanji node at \(directory.path)",
                             hint: "run `sanji init --id … --name … --level … --data \(directory.path)` first, or point --data (or SANJI_DATA) at the node's directory")
        }
        let pool = try openPool(directory, busyTimeout: busyTimeout, clock: clock)
        let identity = try pool.read { db -> NodeIdentity in
            guard let id = try Meta.get(db, .nodeId), let name = try Meta.get(db, .nodeName),
                  let levelText = try Meta.get(db, .level), let level = Level(rawValue: levelText)
            else { throw SanjiError(.notInitialized, "\(databaseURL(in: directory).path) has no node identity; it was not made by `sanji init`") }
            return NodeIdentity(id: id, name: name, level: level,
                                timeZone: try Meta.get(db, .timeZone) ?? "Asia/Shanghai", parent: try Meta.get(db, .parent))
        }
        if !allowRetired, let retired = try pool.read({ try Meta.get($0, .retired) }) {
            throw SanjiError(.invalidArgument, "this copy of \(identity.id) was retired (\(retired)); it records and serves nothing any more",
                             hint: "use the copy the station moved to; `sanji status` and `sanji export` still read this one")
        }
        let (_, changed) = try checkIncarnation(pool, directory: directory)
        return try NodeStore(pool: pool, identity: identity, directory: directory, clock: clock, newIncarnationReason: changed, busyTimeout: busyTimeout)
    }

    /// The writer's page cache, in KiB.
    static let writerCacheKiB = 65_536
    /// The page cache during a file import, in KiB.
    static let importCacheKiB = 16_384

    private static func openPool(_ directory: URL, busyTimeout: TimeInterval = 10, clock: WallClock) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // The writer applies relayed rows at random places of the summary table: a 64 MiB page
            // cache (SQLite's default is 2 MiB) keeps a county's hot pages; it grows only as used.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(writerCacheKiB)") }
        }
        let pool = try DatabasePool(path: databaseURL(in: directory).path, configuration: config)
        let migrator = Migrations.migrator
        let known = Set(migrator.migrations)
        let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw SanjiError(.schemaTooNew, "the store at \(directory.path) was written by a newer Sanji (migration \(unknown))",
                             hint: "upgrade this sanji binary (this is \(SanjiVersion.string)) before opening it")
        }
        try migrator.migrate(pool)
        // Decided in a read: every command opens the store, and must not wait for a writer to do so.
        if try pool.read({ try Meta.get($0, .rebuildOwnRows) }) != nil {
            try pool.write { db in
                guard try Meta.get(db, .rebuildOwnRows) != nil, let id = try Meta.get(db, .nodeId),
                      let zone = ZoneRule(identifier: try Meta.get(db, .timeZone) ?? "Asia/Shanghai") else { return }
                let level = Level(rawValue: try Meta.get(db, .level) ?? "") ?? .village
                _ = try rebuildOwnRows(db, identity: NodeIdentity(id: id, name: try Meta.get(db, .nodeName) ?? id, level: level), zone: zone, now: clock.now)
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [Meta.rebuildOwnRows.rawValue])
            }
        }
        return pool
    }
}

/// The version of this build of sanji.
public enum SanjiVersion {
    /// The version as HELLO's `software`, status rows and `sanji --version` give it.
    public static let string = "0.3.0"
}

/// Small key-value facts about the node itself.
enum Meta: String {
    case nodeId = "node_id", nodeName = "node_name", level, timeZone = "time_zone", parent, createdAt = "created_at"
    case listen, listenResolved = "listen_resolved", parentKey = "parent_key", parentId = "parent_id"
    /// Set by a migration whose change to the rows needs this node's own recomputed (v11).
    case rebuildOwnRows = "rebuild_own_rows"
    /// Which copy of the store this is (`Incarnation`), and where it was last opened.
    case incarnation, epoch, lineage, place
    /// Set by `sanji retire`: this copy moved elsewhere and must not record or serve any more.
    case retired
    /// The folder `serve --import-dir` watches.
    case importDir = "import_dir"

    static func get(_ db: Database, _ key: Meta) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key.rawValue])
    }

    static func set(_ db: Database, _ key: Meta, _ value: String) throws {
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [key.rawValue, value])
    }
}
