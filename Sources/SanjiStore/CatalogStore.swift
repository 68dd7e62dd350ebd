import GRDB
import SanjiCore

/// The catalogue tables: items, working-day calendar and settings, each row stamped with the
/// catalogue sequence that last changed it.
enum CatalogStore {
    static func load(_ db: Database) throws -> Catalog {
        var items: [String: CatalogItem] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT code, name, type, department, levels, legal_days, promised_days, online_depth, max_visits, withdrawn FROM catalog_item
            """)
        while let r = try rows.next() {
            let levels = Set((r["levels"] as String).split(separator: "|").compactMap { Level(rawValue: String($0)) })
            let item = CatalogItem(
                code: r["code"], name: r["name"], type: ItemType(rawValue: r["type"]) ?? .publicService, department: r["department"],
                levels: levels, legalDays: r["legal_days"], promisedDays: r["promised_days"], onlineDepth: r["online_depth"],
                maxVisits: r["max_visits"], withdrawn: r["withdrawn"])
            items[item.code] = item
        }
        var exceptions: [Day: WorkCalendar.Kind] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT day, kind FROM calendar_day") {
            if let d = Day(r["day"] as String), let k = WorkCalendar.Kind(rawValue: r["kind"]) { exceptions[d] = k }
        }
        var catalog = Catalog(items: items, calendar: WorkCalendar(exceptions: exceptions), sequence: try Counter.value(db, .catalogSeq))
        for r in try Row.fetchAll(db, sql: "SELECT key, value FROM setting") { catalog.apply(setting: r[0], value: r[1]) }
        return catalog
    }

    /// Starts a new catalogue sequence (the root only); returns it.
    static func nextSequence(_ db: Database, note: String, now: Timestamp) throws -> Int {
        let seq = try Counter.value(db, .catalogSeq) + 1
        try Counter.set(db, .catalogSeq, seq)
        try db.execute(sql: "INSERT INTO catalog_version (seq, made_at, note) VALUES (?, ?, ?)", arguments: [seq, now.seconds, note])
        return seq
    }

    /// An item, stamped with `seq`.
    static func put(_ db: Database, _ item: CatalogItem, seq: Int) throws {
        try db.execute(sql: """
            INSERT INTO catalog_item (code, name, type, department, levels, legal_days, promised_days, online_depth, max_visits, withdrawn, seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, type = excluded.type, department = excluded.department,
              levels = excluded.levels, legal_days = excluded.legal_days, promised_days = excluded.promised_days,
              online_depth = excluded.online_depth, max_visits = excluded.max_visits, withdrawn = excluded.withdrawn, seq = excluded.seq
            """, arguments: [item.code, item.name, item.type.rawValue, item.department, item.levelsText, item.legalDays,
                             item.promisedDays, item.onlineDepth, item.maxVisits, item.withdrawn, seq])
    }

    /// A working-day calendar exception (a holiday or a 调休 working weekend), stamped with `seq`.
    static func put(_ db: Database, day: Day, kind: WorkCalendar.Kind, seq: Int) throws {
        try db.cachedStatement(sql: "INSERT INTO calendar_day (day, kind, seq) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, seq = excluded.seq")
            .execute(arguments: [day.description, kind.rawValue, seq])
    }

    /// A catalogue setting, stamped with `seq`.
    static func put(_ db: Database, setting key: String, value: String, seq: Int) throws {
        // Staff rows written while they stayed home were skipped by the uplink: once the county
        // lets them travel, every one gets a new rev and goes up.
        if key == Catalog.SettingKey.staffFigures.rawValue, value == "county",
           try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) != "county" {
            try UnitRows.restampStaff(db)
        }
        try db.cachedStatement(sql: "INSERT INTO setting (key, value, seq) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, seq = excluded.seq")
            .execute(arguments: [key, value, seq])
    }
}
