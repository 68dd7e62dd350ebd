import GRDB
import SanjiCore

extension NodeStore {
    /// The catalogue this node holds: items, work calendar and settings, with its sequence.
    public func catalog() throws -> Catalog { try read { try CatalogStore.load($0) } }

    private func requireRoot(_ what: String) throws {
        guard identity.isRoot else {
            throw SanjiError(.notRoot, "only the root owns the catalogue: this node (\(identity.id), \(identity.level.rawValue)) has a parent, so it cannot \(what)",
                             hint: "import at the root node; the catalogue reaches this node from its parent")
        }
    }

    /// Imports items.csv at the root. Changed and new items are stamped with one new catalogue
    /// sequence; an import that changes nothing makes none. Items not in the file stay as they are.
    public func importCatalog(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions()) throws -> ImportReport {
        try requireRoot("import a catalogue")
        let file = try Self.open(name, InputBytes(bytes), (CatalogParsing.itemColumns, []), options)
        return try write { db in
            let current = try CatalogStore.load(db)
            var report = ImportReport()
            report.encoding = file.encoding
            var issues: [RowIssue] = []
            var seen: [String: Int] = [:]
            var changed: [CatalogItem] = []
            var records = file.records()
            while let record = records.next() {
                report.rows += 1
                var problems: [RowParser.Problem] = []
                if let item = CatalogParsing.parseItem({ file.value(record, $0) }, problems: &problems) {
                    if let first = seen[item.code] {
                        problems.append(("code", "\(item.code) appears again (first at line \(first))"))
                    } else {
                        seen[item.code] = record.line
                        if let old = current.items[item.code] {
                            if old == item { report.unchanged += 1 } else { report.updated += 1; changed.append(item) }
                        } else {
                            report.new += 1
                            changed.append(item)
                        }
                    }
                }
                for p in problems { issues.append(RowIssue(file: name, line: record.line, field: p.field, message: p.message)) }
            }
            if let syntax = records.syntaxIssue { issues.append(syntax) }
            guard issues.isEmpty else { throw ImportRejected(file: name, issues: issues) }
            report.notInFile = current.items.keys.filter { seen[$0] == nil }.count
            if changed.isEmpty {
                report.sequence = current.sequence
            } else {
                let seq = try CatalogStore.nextSequence(db, note: "items: \(report.new) new, \(report.updated) updated from \(name)", now: options.now ?? clock.now)
                for item in changed { try CatalogStore.put(db, item, seq: seq) }
                report.sequence = seq
                report.summaryRows = changed.count
            }
            return report
        }
    }

    /// Imports calendar.csv (holidays and 调休 working days) at the root, as a new catalogue sequence.
    public func importCalendar(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions()) throws -> ImportReport {
        try requireRoot("import a calendar")
        let file = try Self.open(name, InputBytes(bytes), (CatalogParsing.calendarColumns, []), options)
        return try write { db in
            let current = try CatalogStore.load(db).calendar
            var report = ImportReport()
            report.encoding = file.encoding
            var issues: [RowIssue] = []
            var seen: [Day: (Int, WorkCalendar.Kind)] = [:]
            var changed: [(Day, WorkCalendar.Kind)] = []
            var records = file.records()
            while let record = records.next() {
                report.rows += 1
                var problems: [RowParser.Problem] = []
                if let (day, kind) = CatalogParsing.parseCalendarDay({ file.value(record, $0) }, problems: &problems) {
                    if let (first, k) = seen[day] {
                        if k != kind { problems.append(("date", "\(day) appears again (first at line \(first)) as \(k.rawValue)")) } else { report.unchanged += 1 }
                    } else {
                        seen[day] = (record.line, kind)
                        if current.exceptions[day] == kind { report.unchanged += 1 } else {
                            if current.exceptions[day] == nil { report.new += 1 } else { report.updated += 1 }
                            changed.append((day, kind))
                        }
                    }
                }
                for p in problems { issues.append(RowIssue(file: name, line: record.line, field: p.field, message: p.message)) }
            }
            if let syntax = records.syntaxIssue { issues.append(syntax) }
            guard issues.isEmpty else { throw ImportRejected(file: name, issues: issues) }
            if changed.isEmpty {
                report.sequence = try Counter.value(db, .catalogSeq)
            } else {
                let seq = try CatalogStore.nextSequence(db, note: "calendar: \(changed.count) days from \(name)", now: options.now ?? clock.now)
                for (day, kind) in changed {
                    try CatalogStore.put(db, day: day, kind: kind, seq: seq)
                }
                report.sequence = seq
                report.summaryRows = changed.count
            }
            return report
        }
    }

    /// Sets the working days a 差评 has for 整改 (root only; travels with the catalogue).
    public func setRectifyDays(_ days: Int, now: Timestamp? = nil) throws -> Int {
        let now = now ?? clock.now
        guard (1...60).contains(days) else { throw SanjiError(.invalidArgument, "rectify days must be 1 to 60 working days (areas use 5 to 15)") }
        return try setSetting(Catalog.SettingKey.rectifyDays.rawValue, String(days), now: now)
    }

    /// Sets how far a station's clock may be off, in minutes (root only; travels with the catalogue).
    public func setClockSkewMinutes(_ minutes: Int, now: Timestamp? = nil) throws -> Int {
        let now = now ?? clock.now
        guard (1...1440).contains(minutes) else { throw SanjiError(.invalidArgument, "the clock skew must be 1 to 1440 minutes") }
        return try setSetting(Catalog.SettingKey.clockSkewMinutes.rawValue, String(minutes), now: now)
    }

    /// Sets how percentages print everywhere below the root (half-up or cut).
    public func setRounding(_ rounding: Rounding, now: Timestamp? = nil) throws -> Int {
        let now = now ?? clock.now
        return try setSetting(Catalog.SettingKey.rounding.rawValue, rounding.rawValue, now: now)
    }

    /// Sets which items the catalogue figures count.
    public func setCatalogScope(_ scope: CatalogScope, now: Timestamp? = nil) throws -> Int {
        let now = now ?? clock.now
        return try setSetting(Catalog.SettingKey.catalogScope.rawValue, scope.rawValue, now: now)
    }

    /// Sets the 网办深度 from which an item counts as 网上可办 (2, 3 or 4).
    public func setOnlineMinDepth(_ depth: Int, now: Timestamp? = nil) throws -> Int {
        let now = now ?? clock.now
        guard (2...4).contains(depth) else {
            throw SanjiError(.invalidArgument, "--online-min-depth \(depth): 网上可办 starts at 网办深度 2 (Ⅱ 收件/预审), 3 (Ⅲ 受理) or 4 (Ⅳ 全程网办)")
        }
        return try setSetting(Catalog.SettingKey.onlineMinDepth.rawValue, String(depth), now: now)
    }

    /// Lets staff (工号) figures travel to the county, or keeps them at each station (the default).
    public func setStaffFigures(travel: Bool, now: Timestamp? = nil) throws -> Int {
        try setSetting(Catalog.SettingKey.staffFigures.rawValue, travel ? "county" : "station", now: now ?? clock.now)
    }

    /// Sets the weights of the 综合得分.
    public func setScoreWeights(_ weights: ScoreWeights, now: Timestamp? = nil) throws -> Int {
        try setSetting(Catalog.SettingKey.scoreWeights.rawValue, weights.text, now: now ?? clock.now)
    }

    /// Sets how many 红旗窗口 the 通报 names (1 to 20).
    public func setHonorWindows(_ n: Int, now: Timestamp? = nil) throws -> Int {
        guard (1...20).contains(n) else { throw SanjiError(.invalidArgument, "--honor-windows \(n): name 1 to 20 windows") }
        return try setSetting(Catalog.SettingKey.honorWindows.rawValue, String(n), now: now ?? clock.now)
    }

    private func setSetting(_ key: String, _ value: String, now: Timestamp) throws -> Int {
        try requireRoot("change catalogue settings")
        return try write { db in
            let seq = try CatalogStore.nextSequence(db, note: "setting \(key) = \(value)", now: now)
            try CatalogStore.put(db, setting: key, value: value, seq: seq)
            return seq
        }
    }
}
