import GRDB
import SanjiCore

extension NodeStore {
    // MARK: Downward: the catalogue

    /// The catalogue sequence this node holds (0 before any catalogue).
    public func catalogSequence() throws -> UInt64 { try read { UInt64(try Counter.value($0, .catalogSeq)) } }

    /// Every catalogue row above `seq`; nil when this node holds nothing newer.
    public func catalogDelta(after seq: UInt64) throws -> CatalogDelta? {
        try read { db in
            let current = UInt64(try Counter.value(db, .catalogSeq))
            guard current > seq else { return nil }
            let catalog = try CatalogStore.load(db)
            var items: [(item: CatalogItem, seq: UInt64)] = []
            for r in try Row.fetchAll(db, sql: "SELECT code, seq FROM catalog_item WHERE seq > ? ORDER BY code", arguments: [seq]) {
                if let item = catalog.items[r["code"]] { items.append((item, r["seq"])) }
            }
            let days = try Row.fetchAll(db, sql: "SELECT day, kind, seq FROM calendar_day WHERE seq > ? ORDER BY day", arguments: [seq]).compactMap { r -> CatalogDelta.DayRow? in
                guard let d = Day(r["day"] as String), let k = WorkCalendar.Kind(rawValue: r["kind"]) else { return nil }
                return CatalogDelta.DayRow(day: d, kind: k, seq: r["seq"])
            }
            let settings = try Row.fetchAll(db, sql: "SELECT key, value, seq FROM setting WHERE seq > ? ORDER BY key", arguments: [seq]).map {
                CatalogDelta.SettingRow(key: $0["key"], value: $0["value"], seq: $0["seq"])
            }
            return CatalogDelta(catalogSeq: current, items: items, days: days, settings: settings)
        }
    }

    /// Applies a catalogue delta from the parent atomically, keeping the root's sequences.
    /// Returns false (and changes nothing) when it is not newer than what this node holds.
    @discardableResult
    public func applyCatalog(_ delta: CatalogDelta, now: Timestamp? = nil) throws -> Bool {
        let now = now ?? clock.now
        return try write { db in
            guard delta.catalogSeq > UInt64(try Counter.value(db, .catalogSeq)) else { return false }
            for (item, seq) in delta.items { try CatalogStore.put(db, item, seq: Int(seq)) }
            for d in delta.days { try CatalogStore.put(db, day: d.day, kind: d.kind, seq: Int(d.seq)) }
            for s in delta.settings { try CatalogStore.put(db, setting: s.key, value: s.value, seq: Int(s.seq)) }
            try Counter.set(db, .catalogSeq, Int(delta.catalogSeq))
            try db.execute(sql: "INSERT OR REPLACE INTO catalog_version (seq, made_at, note) VALUES (?, ?, ?)",
                           arguments: [Int64(delta.catalogSeq), now.seconds, "from parent: \(delta.items.count) items, \(delta.days.count) days, \(delta.settings.count) settings"])
            return true
        }
    }
}
