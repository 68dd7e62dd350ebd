/// What the county knows of a node, for completeness, breakdowns and attention lists.
public struct NodeInfo: Sendable, Equatable {
    /// The node id (统计用区划代码 or similar).
    public var id: String
    /// The node's name as enrolled.
    public var name: String
    /// Its level: county, township, village ….
    public var level: Level
    /// The node it is enrolled under; nil for the root.
    public var parent: String?
    /// The newest of its own status report and the last time this node heard from it.
    public var lastSeen: Int64?
    /// The catalogue sequence it last reported; nil when unknown.
    public var catalogSeq: Int?
    /// Cases open at the station, as of its last status.
    public var openCases: Int
    /// Cases open past their deadline at the station, as of its last status.
    public var overdueCases: Int
    /// Rows it had not yet sent up when it last reported.
    public var backlog: Int = 0
    /// This node itself, or heard from within `--stale`: counts in `nodes_reporting`.
    public var reporting: Bool
    /// Revoked at its parent: its past rows still count, the node no longer does.
    public var revoked = false
    /// Its clock minus its parent's, in seconds.
    public var clockSkew: Int64 = 0
    /// A second copy of the node its parent refuses (two PCs running one station), or "".
    public var copyConflict = ""

    /// A node as the dashboard sees it; revoked, clock skew and copy conflict are set afterwards.
    public init(id: String, name: String, level: Level, parent: String?, lastSeen: Int64?, catalogSeq: Int?, openCases: Int, overdueCases: Int,
                backlog: Int = 0, reporting: Bool) {
        self.backlog = backlog
        self.id = id
        self.name = name
        self.level = level
        self.parent = parent
        self.lastSeen = lastSeen
        self.catalogSeq = catalogSeq
        self.openCases = openCases
        self.overdueCases = overdueCases
        self.reporting = reporting
    }
}

/// How `--by` breaks the figures down.
public enum BreakdownKind: String, CaseIterable, Sendable {
    case township, node, department, item
    /// Each window of each station (`origin/window`).
    case window
    /// Each staff member (工号) of each station whose staff figures are here: a station's own
    /// always, others' only while the county's `staff_figures` is `county`.
    case staff
}

/// One row of a `--by` breakdown: a node, a township with its villages, a department or an item.
public struct BreakdownRow: Sendable {
    /// The node id, the department or the item code the row is for.
    public var key: String
    /// What the row prints as its name: the node's, the department's or the item's.
    public var name: String
    /// The node's level; nil for department and item rows.
    public var level: Level?
    /// Indentation: 0 for a township's rolled-up row, 1 for its villages beneath it.
    public var depth: Int
    /// Nodes in the row (a township counts itself and its villages); 0 for department and item rows.
    public var nodes: Int
    /// Of `nodes`, those reporting within `--stale`.
    public var nodesReporting: Int
    /// The row's figures over the period, as at its end.
    public var figures: PeriodFigures
}

/// 差评 not rectified within the 整改 limit, per node.
public struct UnrectifiedBadReviews: Sendable, Equatable {
    /// The node id.
    public var node: String
    /// The node's name.
    public var name: String
    /// Its 差评 past their 整改 limit and not rectified (超期未整改).
    public var count: Int
    /// The evaluation day of the oldest of them.
    public var oldestDay: Day
}

/// A node whose rows count more cases completed or due than accepted, over all its history.
public struct ImpossibleCounts: Sendable, Equatable {
    /// The node id.
    public var node: String
    /// The node's name.
    public var name: String
    /// Cases accepted, over all its history.
    public var accepted: Int
    /// Cases completed, over all its history: more than `accepted` cannot be.
    public var completed: Int
    /// Cases due, over all its history: more than `accepted` cannot be.
    public var due: Int

    /// A node whose history counts more completed or due than accepted.
    public init(node: String, name: String, accepted: Int, completed: Int, due: Int) {
        self.node = node
        self.name = name
        self.accepted = accepted
        self.completed = completed
        self.due = due
    }
}

/// A node claimed by a parent other than the one it is enrolled under (refused with 409).
public struct SubtreeConflict: Sendable, Equatable {
    /// The node claimed twice.
    public var subject: String
    /// The parent that claimed it and was refused.
    public var claimedBy: String
    /// The parent it is enrolled under.
    public var owner: String
    /// When the refused claim was last seen, in seconds since the epoch.
    public var lastSeen: Int64

    /// A refused claim on a node enrolled elsewhere.
    public init(subject: String, claimedBy: String, owner: String, lastSeen: Int64) {
        self.subject = subject
        self.claimedBy = claimedBy
        self.owner = owner
        self.lastSeen = lastSeen
    }
}

/// What needs someone's attention today.
public struct Attention: Sendable {
    /// Nodes not heard from within `--stale`, longest silent first.
    public var stale: [NodeInfo] = []
    /// Nodes claimed by a second parent (ERROR 409).
    public var conflicts: [SubtreeConflict] = []
    /// Stations whose clock is off by more than the catalogue's clock_skew_minutes.
    public var clockSkewed: [NodeInfo] = []
    /// Nodes holding an older catalogue sequence than this node.
    public var behindCatalog: [NodeInfo] = []
    /// Per node, 差评 past their 整改 limit and not rectified (超期未整改), most first.
    public var unrectified: [UnrectifiedBadReviews] = []
    /// Nodes with cases open past their deadline (超期未办结), most first.
    public var overdue: [NodeInfo] = []
    /// Nodes whose rows, over their whole history, count more cases completed (or due) than
    /// accepted: figures no station could have: a damaged or hostile copy.
    public var impossible: [ImpossibleCounts] = []
    /// Nodes two copies of which run (two PCs): the copy their parent refuses.
    public var copies: [(node: NodeInfo, refused: String)] = []
    /// Files `serve --import-dir` could not import at this station, still in its `failed/` folder.
    public var failedImports: [FailedImport] = []

    /// Nothing to attend to.
    public init() {}
    /// Whether no list holds anything.
    public var isEmpty: Bool {
        stale.isEmpty && conflicts.isEmpty && clockSkewed.isEmpty && behindCatalog.isEmpty && unrectified.isEmpty && overdue.isEmpty
            && impossible.isEmpty && copies.isEmpty && failedImports.isEmpty
    }
}

/// A file dropped for import that was rejected: where it lies, and its problems beside it.
public struct FailedImport: Sendable, Equatable {
    /// The file, in the import folder's `failed/`.
    public var file: String
    /// `NAME.errors.txt` beside it: the `file:line: field: problem` lines.
    public var errors: String
    /// When it was moved there (Unix seconds).
    public var failedAt: Int64

    /// A failed import.
    public init(file: String, errors: String, failedAt: Int64) {
        (self.file, self.errors, self.failedAt) = (file, errors, failedAt)
    }
}

/// Durations as `--stale` takes them.
public enum DurationText {
    /// `24h`, `90m`, `2d`, `30s` (or plain seconds) → seconds.
    public static func seconds(_ text: String) -> Int64? {
        let t = text.trimmingSpaces.lowercased()
        guard let unit = t.last else { return nil }
        let factors: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let f = factors[unit], let n = Int64(t.dropLast()), n > 0 { return n * f }
        if let n = Int64(t), n > 0 { return n }
        return nil
    }
}

extension DashboardReport {
    /// Figures by township (each rolled up with its villages, the villages beneath), by node, by
    /// department or by item (top `limit` by 办件量).
    public static func breakdown(
        _ kind: BreakdownKind, nodes: [NodeInfo], tallyByOrigin: [String: Tally],
        tallyByItem: [String: Tally], catalog: Catalog, limit: Int
    ) -> [BreakdownRow] {
        let byId = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func row(_ n: NodeInfo, members: [NodeInfo], depth: Int) -> BreakdownRow {
            let t = members.reduce(Tally()) { $0 + (tallyByOrigin[$1.id] ?? Tally()) }
            return BreakdownRow(key: n.id, name: n.name, level: n.level, depth: depth, nodes: members.count,
                                nodesReporting: members.filter(\.reporting).count, figures: PeriodFigures(t))
        }
        // Children by parent, made once: looking them up by scanning every node made a province's
        // breakdown (30,000 villages) quadratic, 18 s.
        var children: [String: [NodeInfo]] = [:]
        for n in nodes { if let p = n.parent { children[p, default: []].append(n) } }
        func subtree(_ id: String) -> [NodeInfo] {
            var out = byId[id].map { [$0] } ?? []
            for child in children[id] ?? [] { out += subtree(child.id) }
            return out
        }
        switch kind {
        case .node:
            return nodes.sorted { ($0.level, $0.id) < ($1.level, $1.id) }.map { row($0, members: [$0], depth: 0) }
        case .township:
            var rows: [BreakdownRow] = []
            let townships = nodes.filter { $0.level == .township }.sorted { $0.id < $1.id }
            for n in nodes where n.level < .township { rows.append(row(n, members: [n], depth: 0)) }
            for t in townships {
                rows.append(row(t, members: subtree(t.id), depth: 0))
                for v in (children[t.id] ?? []).sorted(by: { $0.id < $1.id }) { rows.append(row(v, members: subtree(v.id), depth: 1)) }
            }
            return rows
        case .department:
            var byDept: [String: Tally] = [:]
            for (item, t) in tallyByItem {
                byDept[catalog.items[item]?.department ?? "(未关联事项)", default: Tally()] += t
            }
            return byDept.sorted { ($0.value.counters.accepted, $1.key) > ($1.value.counters.accepted, $0.key) }.map {
                BreakdownRow(key: $0.key, name: $0.key, level: nil, depth: 0, nodes: 0, nodesReporting: 0, figures: PeriodFigures($0.value))
            }
        case .window, .staff:
            return tallyByItem.sorted { ($0.value.counters.accepted, $1.key) > ($1.value.counters.accepted, $0.key) }.map {
                let parts = $0.key.split(separator: "/", maxSplits: 1).map(String.init)
                let station = byId[parts[0]]?.name ?? parts[0]
                let unit = parts.count > 1 ? parts[1] : ""
                // A window numbered 3 reads 3号窗口; a named one (综合A) as it is. A staff member by 工号.
                let label = kind == .staff ? "工号 \(unit)" : (unit.allSatisfy(\.isNumber) ? "\(unit)号窗口" : unit)
                return BreakdownRow(key: $0.key, name: "\(station) \(label)", level: nil, depth: 0, nodes: 0, nodesReporting: 0, figures: PeriodFigures($0.value))
            }
        case .item:
            return tallyByItem.sorted { ($0.value.counters.accepted, $1.key) > ($1.value.counters.accepted, $0.key) }.prefix(limit).map {
                BreakdownRow(key: $0.key, name: catalog.items[$0.key]?.name ?? ($0.key.isEmpty ? "(未关联事项)" : $0.key), level: nil, depth: 0,
                             nodes: 0, nodesReporting: 0, figures: PeriodFigures($0.value))
            }
        }
    }

    /// Stale nodes, nodes behind on the catalogue, 差评 past their 整改 limit, overdue open cases: today.
    public static func attention(
        nodes: [NodeInfo], selfId: String, catalog: Catalog, today: Day, unrectified: [BadReview]
    ) -> Attention {
        var a = Attention()
        let names = Dictionary(nodes.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        a.stale = nodes.filter { !$0.reporting }.sorted { ($0.lastSeen ?? 0, $0.id) < ($1.lastSeen ?? 0, $1.id) }
        a.behindCatalog = nodes.filter { $0.id != selfId && ($0.catalogSeq ?? 0) < catalog.sequence }.sorted { $0.id < $1.id }
        a.clockSkewed = nodes.filter { abs($0.clockSkew) > Int64(catalog.clockSkewMinutes) * 60 }.sorted { $0.id < $1.id }
        a.overdue = nodes.filter { $0.overdueCases > 0 }.sorted { ($0.overdueCases, $1.id) > ($1.overdueCases, $0.id) }
        a.copies = nodes.filter { !$0.copyConflict.isEmpty }.sorted { $0.id < $1.id }.map { ($0, $0.copyConflict) }
        a.unrectified = UnrectifiedBadReviews.perNode(unrectified, at: AsAt(Period(from: today, to: today), today: today)!, catalog: catalog, names: names)
        return a
    }
}

extension UnrectifiedBadReviews {
    /// 差评 past their 整改 limit and not rectified as at `a`, counted per node, most first.
    public static func perNode(_ records: [BadReview], at a: AsAt, catalog: Catalog, names: [String: String]) -> [UnrectifiedBadReviews] {
        var perNode: [String: (Int, Day)] = [:]
        for r in records where r.overdueUnrectified(at: a, catalog: catalog) {
            let current = perNode[r.origin] ?? (0, r.day)
            perNode[r.origin] = (current.0 + 1, min(current.1, r.day))
        }
        return perNode.map { UnrectifiedBadReviews(node: $0.key, name: names[$0.key] ?? $0.key, count: $0.value.0, oldestDay: $0.value.1) }
            .sorted { ($0.count, $1.node) > ($1.count, $0.node) }
    }
}
