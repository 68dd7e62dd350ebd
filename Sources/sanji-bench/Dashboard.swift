import ArgumentParser
import Foundation
import SanjiCore
import SanjiFixtures
import SanjiReport
import SanjiStore

extension SanjiBench {
    struct Dashboard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The county dashboard over years of daily rows of a large county, beside a raw SELECT sum() over the same rows.",
            discussion: """
                Builds a county store holding what its subtree would have sent (committed through the store's
                own intake of child batches): --townships townships with --villages villages among them,
                --years of daily summary rows of --items items a node a day. Then times, over the last year:
                the raw query (SELECT origin, sum(…) … GROUP BY origin), the dashboard as JSON (the store's
                query and its rendering, like for like with the raw query), the same broken down by township,
                and the whole `sanji dashboard --format json` process (start, open, render, exit).
                  sanji-bench dashboard --dir /tmp/dash     # --dir keeps the store, and reuses it next time
                """)

        @Option(help: ArgumentHelp("Townships.", valueName: "n")) var townships: Int = 20
        @Option(help: ArgumentHelp("Villages, spread over the townships.", valueName: "n")) var villages: Int = 400
        @Option(help: ArgumentHelp("Years of daily rows.", valueName: "n")) var years: Int = 3
        @Option(help: ArgumentHelp("Items with activity per node per day.", valueName: "n")) var items: Int = 6
        @Option(help: ArgumentHelp("Runs of each query; the median is reported.", valueName: "n")) var runs: Int = 5
        @OptionGroup var options: BenchOptions

        func validate() throws {
            if townships < 1 || villages < 0 || years < 1 || items < 1 || runs < 1 { throw ValidationError("every size must be at least 1") }
        }

        func run() throws {
            try Bench.run {
                let base = try options.workspace("dashboard")
                defer { options.finish(base) }
                let dir = base.appendingPathComponent("340321")
                let store: NodeStore
                if NodeStore.exists(in: dir) {
                    Bench.say("reusing the store in \(dir.path)")
                    store = try NodeStore.open(in: dir)
                } else {
                    Bench.say("building \(townships) townships, \(villages) villages, \(years) years of daily rows …")
                    let start = Bench.now()
                    store = try build(in: dir)
                    Bench.say("built in \(String(format: "%.1f", Bench.now() - start)) s; timing …")
                }
                try measure(store, dir: dir)
            }
        }

        /// A county store and what its townships sent: every village's enrolment and status, and
        /// daily rows of every node, through `applyBatches`, as serve commits a child's rows.
        func build(in dir: URL) throws -> NodeStore {
            let store = try NodeStore.create(in: dir, identity: NodeIdentity(id: "340321", name: "基准县", level: .county))
            _ = try store.importCatalog(name: "items.csv", bytes: Array(BenchData.catalogCSV(items: 200).utf8))
            let codes = try store.catalog().items.keys.sorted()
            let now = WallClock.system.now
            let today = store.zone.day(of: now)
            let towns = (0..<townships).map { "340321\(Day.pad(100 + $0, 3))" }
            _ = try store.enroll(towns.enumerated().map { t, id in
                NodeStore.ChildEnrolment(id: id, publicKey: "bench-key-\(id)", name: "镇\(t)", level: .township)
            })
            var rng = SeededRandom(seed: 9)
            for (t, town) in towns.enumerated() {
                let villageIds = stride(from: t, to: villages, by: townships).map { "\(town)\(Day.pad(200 + $0 / townships, 3))" }
                var originRev: UInt64 = 0
                var nodes: [NodeRowState] = []
                for (v, id) in villageIds.enumerated() {
                    originRev += 1
                    nodes.append(.enrolment(NodeEnrolment(subject: id, originRev: originRev, parent: town, level: .village, name: "村\(v)",
                                                          enrolledAt: now.seconds, revoked: false)))
                }
                for (id, level) in [(town, Level.township)] + villageIds.map({ ($0, Level.village) }) {
                    originRev += 1
                    nodes.append(.status(NodeStatus(subject: id, originRev: originRev, name: id, level: level, software: SanjiVersion.string,
                                                    catalogSeq: 1, openCases: 0, overdueCases: 0, lastActivity: now.seconds, asOf: now.seconds)))
                }
                var batches: [(child: String, batch: SyncBatch)] = [(town, SyncBatch(fromRev: 0, toRev: originRev, summary: [], nodes: nodes))]
                var sent = originRev
                for origin in [town] + villageIds {
                    var summary: [SummaryRowState] = []
                    var units: [UnitRowState] = []
                    for d in 0..<(years * 365) {
                        let day = today.adding(days: -d)
                        // Three windows a station; item k is handled at window k % 3 + 1.
                        var windows = [SummaryCounters](repeating: SummaryCounters(), count: min(3, items))
                        for k in 0..<items {
                            originRev += 1
                            let a = Int.random(in: 0...9, using: &rng)
                            var c = SummaryCounters()
                            (c.accepted, c.acceptedOnline, c.assisted, c.completed, c.completedOnTime) = (a, a / 3, a / 5, a, a - a / 10)
                            (c.completedImmediate, c.visits, c.due, c.dueMet, c.gradeVerySatisfied) = (a / 2, a / 2, a, a - a / 10, 1)
                            if originRev % 997 == 0 { c.gradeDissatisfied = 1 }   // a 差评 now and then
                            summary.append(SummaryRowState(origin: origin, key: SummaryKey(day: day, item: codes[(k * 7 + d) % codes.count]),
                                                           originRev: originRev, counters: c))
                            windows[k % windows.count] += c
                        }
                        for (w, c) in windows.enumerated() {
                            originRev += 1
                            units.append(UnitRowState(origin: origin, key: UnitKey(day: day, kind: .window, unit: "\(w + 1)"), originRev: originRev, counters: c))
                        }
                    }
                    batches.append((town, SyncBatch(fromRev: sent, toRev: originRev, summary: summary, nodes: [], units: units)))
                    sent = originRev
                    if batches.count >= 8 {
                        _ = try store.applyBatches(batches)
                        batches = []
                    }
                }
                _ = try store.applyBatches(batches)
            }
            return store
        }

        func measure(_ store: NodeStore, dir: URL) throws {
            let held = try store.inventory()
            let nodes = held.nodes.values.reduce(0, +)
            let now = WallClock.system.now
            let today = store.zone.day(of: now)
            let year = Period(from: today.adding(days: -364), to: today)
            let (y, m, _) = today.components
            let lastMonth = m == 1 ? (y - 1, 12) : (y, m - 1)
            let codes = try store.catalog().items.keys.sorted()
            var round = 0
            /// 2,000 cases at the county's own desk over the last three days, completed: the rollups of the
            /// month (or two) they fall in go stale, and the next view pays for the refresh.
            func newRows() throws {
                round += 1
                var csv = ActivitySimulator.caseHeader + "\n"
                for i in 0..<2_000 {
                    let day = today.adding(days: -(i % 3))
                    let at = store.zone.timestamp(localSeconds: Int64(day.number) * 86_400 + 8 * 3600 + Int64(i % 600))
                    // Completed within the half hour (open ones would pile up run after run).
                    let done = Timestamp(seconds: at.seconds + 1_800)
                    guard done.seconds < now.seconds else { continue }
                    csv += "N\(round)-\(i),\(codes[i % codes.count]),\(store.zone.format(at)),window,\(store.zone.format(done)),approved,1,0,,\n"
                }
                _ = try store.importCases(name: "new.csv", bytes: Array(csv.utf8))
            }
            /// The view's first call right after new rows, and the median of `runs` calls after it.
            func time(_ body: () throws -> Void) throws -> (first: Double, median: Double, all: [Double]) {
                try newRows()
                var xs: [Double] = []
                for _ in 0...runs {
                    let t = Bench.now()
                    try body()
                    xs.append(Bench.now() - t)
                }
                return (xs[0], Bench.median(Array(xs.dropFirst())), xs)
            }
            let raw = Bench.median(try (0..<runs).map { _ in try RawLimits.sumByOrigin(store: dir, period: year) })
            var views: [(name: String, key: String, t: (first: Double, median: Double, all: [Double]))] = []
            views.append(("the dashboard, as JSON", "dashboard", try time { _ = try store.dashboard(period: year).json(zone: store.zone).render() }))
            for (kind, limit) in [(BreakdownKind.township, 0), (.node, 0), (.department, 0), (.item, 20), (.window, 0)] {
                views.append(("… by \(kind.rawValue)\(limit > 0 ? " (top \(limit))" : "")", "by_\(kind.rawValue)",
                              try time { _ = try store.dashboard(period: year, breakdown: (kind, limit)).json(zone: store.zone).render() }))
            }
            let month = Period.month(year: lastMonth.0, month: lastMonth.1)!
            views.append(("the exceptions of last month", "exceptions", try time { _ = try store.exceptions(period: month) }))
            views.append(("report monthly, last month (markdown)", "report_monthly",
                          try time { _ = try store.monthlyReport(year: lastMonth.0, month: lastMonth.1).markdown(zone: store.zone) }))
            let cluster = BenchCluster(base: dir, sanji: options.binary)
            let command = ["dashboard", "--format", "json", "--from", year.from.description, "--to", year.to.description, "--data", dir.path]
            let process = try time { try cluster.run(command) }
            var lines = [
                "dashboard, \(Bench.n(held.summaryRows)) summary rows (\(nodes) nodes, 3 windows each), a year's period, \(Bench.build) build",
                "  each view: its first call right after 2,000 new cases, then the median of \(runs)  (goal < 100 ms each)",
                "  raw SELECT origin, sum(…) GROUP BY origin   \(Bench.ms(raw)) ms",
            ]
            func line(_ name: String, _ t: (first: Double, median: Double, all: [Double])) -> String {
                name.padding(toLength: 44, withPad: " ", startingAt: 0) + "first \(Bench.ms(t.first)) ms, then \(Bench.ms(t.median)) ms"
                    + "  (\(t.all.map { Bench.ms($0) }.joined(separator: ", ")))"
            }
            for v in views { lines.append("  " + line(v.name, v.t)) }
            lines.append("  " + line("the sanji dashboard process, start to exit", process))
            var json: [(String, JSONValue)] = [
                ("scenario", .string("dashboard")), ("summary_rows", .int(held.summaryRows)), ("nodes", .int(nodes)), ("raw_ms", .double(raw * 1000)),
            ]
            for v in views + [("process", "process", process)] {
                json += [("\(v.key)_ms", .double(v.t.median * 1000)), ("\(v.key)_first_ms", .double(v.t.first * 1000))]
            }
            options.report(lines, .object(json))
        }
    }
}
