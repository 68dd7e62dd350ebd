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
                    for d in 0..<(years * 365) {
                        let day = today.adding(days: -d)
                        for k in 0..<items {
                            originRev += 1
                            let a = Int.random(in: 0...9, using: &rng)
                            var c = SummaryCounters()
                            (c.accepted, c.acceptedOnline, c.assisted, c.completed, c.completedOnTime) = (a, a / 3, a / 5, a, a - a / 10)
                            (c.completedImmediate, c.visits, c.due, c.dueMet, c.gradeVerySatisfied) = (a / 2, a / 2, a, a - a / 10, 1)
                            if originRev % 997 == 0 { c.gradeDissatisfied = 1 }   // a 差评 now and then
                            summary.append(SummaryRowState(origin: origin, key: SummaryKey(day: day, item: codes[(k * 7 + d) % codes.count]),
                                                           originRev: originRev, counters: c))
                        }
                    }
                    batches.append((town, SyncBatch(fromRev: sent, toRev: originRev, summary: summary, nodes: [])))
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
            let today = store.zone.day(of: WallClock.system.now)
            let year = Period(from: today.adding(days: -364), to: today)
            func time(_ body: () throws -> Void) throws -> Double {
                var xs: [Double] = []
                for _ in 0..<runs {
                    let t = Bench.now()
                    try body()
                    xs.append(Bench.now() - t)
                }
                return Bench.median(xs)
            }
            let raw = Bench.median(try (0..<runs).map { _ in try RawLimits.sumByOrigin(store: dir, period: year) })
            let full = try time { _ = try store.dashboard(period: year).json(zone: store.zone).render() }
            let byTownship = try time { _ = try store.dashboard(period: year, breakdown: (.township, 0)).json(zone: store.zone).render() }
            let byItem = try time { _ = try store.dashboard(period: year, breakdown: (.item, 20)).json(zone: store.zone).render() }
            let byDepartment = try time { _ = try store.dashboard(period: year, breakdown: (.department, 0)).json(zone: store.zone).render() }
            let cluster = BenchCluster(base: dir, sanji: options.binary)
            let command = ["dashboard", "--format", "json", "--from", year.from.description, "--to", year.to.description, "--data", dir.path]
            let process = try time { try cluster.run(command) }
            options.report([
                "dashboard, \(Bench.n(held.summaryRows)) summary rows (\(nodes) nodes), a year's period, \(Bench.build) build, median of \(runs)",
                "  raw SELECT origin, sum(…) GROUP BY origin   \(Bench.ms(raw)) ms",
                "  the dashboard, as JSON                      \(Bench.ms(full)) ms  (goal < 300 ms)",
                "  … by township                               \(Bench.ms(byTownship)) ms",
                "  … by item (top 20)                          \(Bench.ms(byItem)) ms",
                "  … by department                             \(Bench.ms(byDepartment)) ms",
                "  the sanji dashboard process, start to exit  \(Bench.ms(process)) ms",
            ], .object([
                ("scenario", .string("dashboard")), ("summary_rows", .int(held.summaryRows)), ("nodes", .int(nodes)),
                ("raw_ms", .double(raw * 1000)), ("dashboard_ms", .double(full * 1000)), ("by_township_ms", .double(byTownship * 1000)),
                ("by_item_ms", .double(byItem * 1000)), ("by_department_ms", .double(byDepartment * 1000)),
                ("process_ms", .double(process * 1000)),
            ]))
        }
    }
}
