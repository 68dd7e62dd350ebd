import GRDB
import SanjiCore

/// A window of a station (综合窗口, 专科窗口 …), as `sanji window list` shows it.
public struct ServiceWindow: Sendable, Equatable {
    /// What cases and evaluations name in their `window` column: 窗口编号 or a short name.
    public var id: String
    /// Its name as the hall's sign reads (`综合受理1号窗口`); the id when none was given.
    public var name: String
    /// 综合 (any item), 专科 (one department's items), 帮办 or another word the station uses.
    public var kind: String
    /// When it was added.
    public var addedAt: Timestamp
    /// When it was retired; nil while in service. Its history stays in every figure.
    public var retiredAt: Timestamp?
}

extension NodeStore {
    // MARK: Windows

    /// Adds a window (or puts a retired one back in service, with its new name and kind).
    @discardableResult
    public func addWindow(_ id: String, name: String?, kind: String, now: Timestamp? = nil) throws -> ServiceWindow {
        let now = now ?? clock.now
        let id = try Self.canonical(id, field: "window")
        guard !id.isEmpty, id.count <= 32 else { throw SanjiError(.invalidArgument, "window: give an id of 1 to 32 characters (窗口编号, e.g. 1 or A01)") }
        let name = name?.trimmingSpaces.isEmpty == false ? name!.trimmingSpaces : id
        return try write { db in
            try db.execute(sql: """
                INSERT INTO service_window (id, name, kind, added_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, retired_at = NULL
                """, arguments: [id, name, kind, now.seconds])
            return try Self.window(db, id)!
        }
    }

    /// Retires a window: no new case is accepted there from now on; its history stays.
    @discardableResult
    public func retireWindow(_ id: String, now: Timestamp? = nil) throws -> ServiceWindow {
        let now = now ?? clock.now
        let id = try Self.canonical(id, field: "window")
        return try write { db in
            guard let w = try Self.window(db, id) else {
                let known = try String.fetchAll(db, sql: "SELECT id FROM service_window ORDER BY id")
                throw SanjiError(.invalidArgument, "no window \(id) at this station" + (known.isEmpty ? "" : " (it has \(known.joined(separator: ", ")))"),
                                 hint: "sanji window list shows the station's windows")
            }
            guard w.retiredAt == nil else { return w }
            try db.execute(sql: "UPDATE service_window SET retired_at = ? WHERE id = ?", arguments: [now.seconds, id])
            return try Self.window(db, id)!
        }
    }

    /// The station's windows, retired ones included, by id.
    public func windows() throws -> [ServiceWindow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT id, name, kind, added_at, retired_at FROM service_window ORDER BY id").map(Self.window) }
    }

    static func window(_ r: Row) -> ServiceWindow {
        ServiceWindow(id: r[0], name: r[1], kind: r[2], addedAt: Timestamp(seconds: r[3]), retiredAt: (r[4] as Int64?).map(Timestamp.init(seconds:)))
    }

    static func window(_ db: Database, _ id: String) throws -> ServiceWindow? {
        try Row.fetchOne(db, sql: "SELECT id, name, kind, added_at, retired_at FROM service_window WHERE id = ?", arguments: [id]).map(window)
    }

    // MARK: Consultations

    /// Records `count` consultations (咨询) answered at `at` (now when nil), each with its own id.
    public func addConsultations(count: Int = 1, at text: String? = nil, item: String = "", window: String = "", staff: String = "",
                                 now: Timestamp? = nil) throws -> [ConsultRecord] {
        let now = now ?? clock.now
        guard (1...999).contains(count) else { throw SanjiError(.invalidArgument, "--count \(count): record 1 to 999 consultations at a time") }
        return try write { db in
            let intake = try Intake(db, store: self, now: now)
            let parser = intake.parser(now: now)
            var made: [ConsultRecord] = []
            let serial = try Int.fetchOne(db, sql: "SELECT count(*) FROM consultations") ?? 0
            for i in 0..<count {
                var problems: [RowParser.Problem] = []
                let fields = ["at": text ?? zone.format(now), "item_code": item, "window": window, "staff": staff]
                guard let c = parser.parseConsultation({ fields[$0]?.trimmingSpaces ?? "" }, makeId: { "\(identity.id)-Z\(now.seconds)-\(serial + i + 1)" },
                                                       problems: &problems) else {
                    throw Self.invalid(problems)
                }
                _ = try intake.put(c)
                made.append(c)
            }
            try intake.finish()
            return made
        }
    }

    // MARK: Targets

    /// Sets (or with 0, removes) a yearly target of 办件量 for `levels` together or for one node.
    public func setTarget(year: Int, levels: [Level], node: String?, accepted: Int, now: Timestamp? = nil) throws -> YearTarget {
        let now = now ?? clock.now
        guard (2000...2100).contains(year) else { throw SanjiError(.invalidArgument, "--year \(year) is not a year (2000 to 2100)") }
        guard accepted >= 0 else { throw SanjiError(.invalidArgument, "--accepted \(accepted): a target is 0 (none) or more cases") }
        guard (node == nil) != levels.isEmpty else {
            throw SanjiError(.invalidArgument, "give --level (one or more, e.g. --level township --level village) or --node, not both")
        }
        return try write { db in
            var scope: String
            if let node {
                let id = try Self.canonical(node, field: "--node")
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM node WHERE id = ?", arguments: [id]) == true else {
                    throw SanjiError(.invalidArgument, "--node \(id) is not a station this node knows", hint: "sanji dashboard --by node lists them")
                }
                scope = "node:" + id
            } else {
                scope = "level:" + Level.allCases.filter(levels.contains).map(\.rawValue).joined(separator: "+")
            }
            if accepted == 0 {
                try db.execute(sql: "DELETE FROM target WHERE year = ? AND scope = ?", arguments: [year, scope])
            } else {
                try db.execute(sql: """
                    INSERT INTO target (year, scope, accepted, set_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (year, scope) DO UPDATE SET accepted = excluded.accepted, set_at = excluded.set_at
                    """, arguments: [year, scope, accepted, now.seconds])
            }
            return YearTarget(year: year, scope: scope, accepted: accepted)
        }
    }

    /// A target's progress as at `now` (or as at `through`, when earlier): 本年累计 against it.
    public func targetProgress(_ t: YearTarget, now: Timestamp? = nil, through: Day? = nil) throws -> TargetProgress {
        let now = now ?? clock.now
        let today = zone.day(of: now)
        let first = Day(year: t.year, month: 1, day: 1)!
        let last = min(through ?? Day(year: t.year, month: 12, day: 31)!, Day(year: t.year, month: 12, day: 31)!)
        guard first <= today, first <= last else { return TargetProgress(t, yearToDate: nil) }
        let ytd = try dashboard(period: Period(from: first, to: last), now: now, breakdown: (.node, 0))
        return TargetProgress(t, yearToDate: ytd)
    }

    /// The targets of `year` (every year when nil).
    public func targets(year: Int? = nil) throws -> [YearTarget] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT year, scope, accepted FROM target \(year == nil ? "" : "WHERE year = ?") ORDER BY year, scope",
                             arguments: year.map { [$0] } ?? []).map { YearTarget(year: $0[0], scope: $0[1], accepted: $0[2]) }
        }
    }
}
