/// Everything `sanji dashboard` shows, computed from summary rows and the catalogue.
public struct DashboardReport: Sendable {
    /// The figures of one level (its nodes' rows together), or of the total.
    public struct Scope: Sendable {
        /// nil for the total.
        public let level: Level?
        /// Enrolled, unrevoked nodes in the scope.
        public let nodes: Int
        /// Of `nodes`, this node or those heard from within `--stale`.
        public let nodesReporting: Int
        /// The scope's case and evaluation figures over the period.
        public let figures: PeriodFigures

        /// A scope's figures and completeness.
        public init(level: Level?, nodes: Int, nodesReporting: Int, figures: PeriodFigures) {
            self.level = level
            self.nodes = nodes
            self.nodesReporting = nodesReporting
            self.figures = figures
        }
    }

    /// The node the dashboard is computed at.
    public let node: NodeIdentity
    /// When the report was computed.
    public let asOf: Timestamp
    /// The period and the day its figures stand at (its end, or today while it runs).
    public let asAt: AsAt
    /// The period the figures cover.
    public var period: Period { asAt.period }
    /// The catalogue sequence this node holds: what the catalogue figures describe.
    public let catalogSequence: Int
    /// How percentages print (the county's setting, from the catalogue).
    public var rounding = Rounding.default
    /// Every known node's rows together.
    public let total: Scope
    /// One scope per level, from this node's level down.
    public let levels: [Scope]
    /// The catalogue figures of each level shown, as the catalogue stands now.
    public let catalog: [CatalogFigures]
    /// A node that has not reported within this many seconds is stale, never counted as reporting.
    public var staleAfter: Int64 = 86_400
    /// The `--by` breakdown, when asked for.
    public var breakdown: (kind: BreakdownKind, rows: [BreakdownRow])?
    /// What needs someone's attention today, whatever the period.
    public var attention = Attention()

    /// A report without breakdown or attention lists; `make` fills those.
    public init(node: NodeIdentity, asOf: Timestamp, asAt: AsAt, catalogSequence: Int, total: Scope, levels: [Scope], catalog: [CatalogFigures]) {
        self.node = node
        self.asOf = asOf
        self.asAt = asAt
        self.catalogSequence = catalogSequence
        self.total = total
        self.levels = levels
        self.catalog = catalog
    }

    /// Builds the report from per-origin tallies and the known nodes. `unrectified`: the 差评 not
    /// rectified today, for the attention list (which is about today, whatever the period).
    public static func make(
        node: NodeIdentity, asOf: Timestamp, asAt: AsAt, catalog: Catalog, nodes: [NodeInfo],
        tallyByOrigin: [String: Tally], tallyByItem: [String: Tally] = [:],
        breakdown: (kind: BreakdownKind, limit: Int)? = nil, unrectified: [BadReview] = [],
        today: Day, staleAfter: Int64 = 86_400
    ) -> DashboardReport {
        // A revoked node's past rows still count (they are real history); the node itself no longer does.
        let levelOf = Dictionary(nodes.map { ($0.id, $0.level) }, uniquingKeysWith: { a, _ in a })
        let allNodes = nodes
        let nodes = nodes.filter { !$0.revoked }
        var byLevel: [Level: Tally] = [:]
        var total = Tally()
        for (origin, t) in tallyByOrigin {
            // Only rows of known nodes count: a row whose origin this node never enrolled or
            // learnt of (a tampered store) must not inflate any figure.
            guard let level = levelOf[origin] else { continue }
            byLevel[level, default: Tally()] += t
            total += t
        }
        let shown = node.level.andBelow
        let scopes = shown.map { level in
            let members = nodes.filter { $0.level == level }
            return Scope(level: level, nodes: members.count, nodesReporting: members.filter(\.reporting).count,
                         figures: PeriodFigures(byLevel[level] ?? Tally()))
        }
        let totalScope = Scope(level: nil, nodes: nodes.count, nodesReporting: nodes.filter(\.reporting).count, figures: PeriodFigures(total))
        var report = DashboardReport(
            node: node, asOf: asOf, asAt: asAt, catalogSequence: catalog.sequence, total: totalScope, levels: scopes,
            catalog: shown.map { CatalogFigures(level: $0, catalog: catalog) })
        report.rounding = catalog.rounding
        report.staleAfter = staleAfter
        if let b = breakdown {
            report.breakdown = (b.kind, Self.breakdown(b.kind, nodes: allNodes, tallyByOrigin: tallyByOrigin, tallyByItem: tallyByItem,
                                                        catalog: catalog, limit: b.limit))
        }
        report.attention = Self.attention(nodes: nodes, selfId: node.id, catalog: catalog, today: today, unrectified: unrectified)
        return report
    }
}
