/// Everything `sanji dashboard` shows, computed from summary rows and the catalogue.
public struct DashboardReport: Sendable {
    public struct Scope: Sendable {
        /// nil for the total.
        public let level: Level?
        public let nodes: Int
        public let nodesReporting: Int
        public let figures: CaseFigures

        public init(level: Level?, nodes: Int, nodesReporting: Int, figures: CaseFigures) {
            self.level = level
            self.nodes = nodes
            self.nodesReporting = nodesReporting
            self.figures = figures
        }
    }

    public let node: NodeIdentity
    public let asOf: Timestamp
    public let period: Period
    public let catalogSequence: Int
    public let total: Scope
    public let levels: [Scope]
    public let catalog: [CatalogFigures]
    /// A node that has not reported within this many seconds is stale, never counted as reporting.
    public var staleAfter: Int64 = 86_400
    public var breakdown: (kind: BreakdownKind, rows: [BreakdownRow])?
    public var attention = Attention()

    public init(node: NodeIdentity, asOf: Timestamp, period: Period, catalogSequence: Int, total: Scope, levels: [Scope], catalog: [CatalogFigures]) {
        self.node = node
        self.asOf = asOf
        self.period = period
        self.catalogSequence = catalogSequence
        self.total = total
        self.levels = levels
        self.catalog = catalog
    }

    /// Builds the report from per-origin counters and the known nodes.
    public static func make(
        node: NodeIdentity, asOf: Timestamp, period: Period, catalog: Catalog, nodes: [NodeInfo],
        countersByOrigin: [String: SummaryCounters], countersByItem: [String: SummaryCounters] = [:],
        breakdown: (kind: BreakdownKind, limit: Int)? = nil, badByOriginDay: [(origin: String, day: Day, unrectified: Int)] = [],
        today: Day? = nil, staleAfter: Int64 = 86_400
    ) -> DashboardReport {
        // A revoked node's past rows still count (they are real history); the node itself no longer does.
        let levelOf = Dictionary(nodes.map { ($0.id, $0.level) }, uniquingKeysWith: { a, _ in a })
        let allNodes = nodes
        let nodes = nodes.filter { !$0.revoked }
        var byLevel: [Level: SummaryCounters] = [:]
        var total = SummaryCounters()
        for (origin, c) in countersByOrigin {
            // Only rows of known nodes count: a row whose origin this node never enrolled or
            // learnt of (a tampered store) must not inflate any figure.
            guard let level = levelOf[origin] else { continue }
            byLevel[level, default: SummaryCounters()] += c
            total += c
        }
        let shown = node.level.andBelow
        let scopes = shown.map { level in
            let members = nodes.filter { $0.level == level }
            return Scope(level: level, nodes: members.count, nodesReporting: members.filter(\.reporting).count,
                         figures: CaseFigures(byLevel[level] ?? SummaryCounters()))
        }
        let totalScope = Scope(level: nil, nodes: nodes.count, nodesReporting: nodes.filter(\.reporting).count, figures: CaseFigures(total))
        var report = DashboardReport(
            node: node, asOf: asOf, period: period, catalogSequence: catalog.sequence, total: totalScope, levels: scopes,
            catalog: shown.map { CatalogFigures(level: $0, catalog: catalog.items.values) })
        report.staleAfter = staleAfter
        if let b = breakdown {
            report.breakdown = (b.kind, Self.breakdown(b.kind, nodes: allNodes, countersByOrigin: countersByOrigin, countersByItem: countersByItem,
                                                        catalog: catalog, limit: b.limit))
        }
        report.attention = Self.attention(nodes: nodes, selfId: node.id, catalog: catalog, today: today ?? period.to, badByOriginDay: badByOriginDay)
        return report
    }
}
