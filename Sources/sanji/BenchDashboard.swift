import ArgumentParser
import Foundation
import GRDB
import SanjiCore
import SanjiStore

extension Bench {
    struct DashboardScenario: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dashboard",
            abstract: "The county dashboard over years of daily rows of a large county, beside a raw SELECT sum() over the same rows.",
            discussion: """
                Builds a county store holding what its subtree would have sent: --townships townships with
                --villages villages among them, --years of daily summary rows of --items items a node a day.
                Then times, over the last year: the raw query (SELECT origin, sum(…) … GROUP BY origin), the
                full dashboard JSON, and the dashboard broken down by township.
                  swift build -c release && .build/release/sanji bench dashboard
                """)

        @Option(help: ArgumentHelp("Townships.", valueName: "n")) var townships: Int = 20
        @Option(help: ArgumentHelp("Villages, spread over the townships.", valueName: "n")) var villages: Int = 400
        @Option(help: ArgumentHelp("Years of daily rows.", valueName: "n")) var years: Int = 3
        @Option(help: ArgumentHelp("Items with activity per node per day.", valueName: "n")) var items: Int = 6
        @Option(help: ArgumentHelp("Runs of each query; the median is reported.", valueName: "n")) var runs: Int = 5
        @Option(help: ArgumentHelp("Keep the built store here, and reuse it when it is already there (building takes most of the time).", valueName: "dir"))
        var dir: String?

        func run() throws {
            try Console.run {
                let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory() + "sanji-bench-dashboard-\(getpid())")
                defer { if dir == nil { try? FileManager.default.removeItem(at: base) } }
                if NodeStore.exists(in: base) {
                    Console.error("reusing the store in \(base.path)")
                    return try measure(try NodeStore.open(in: base))
                }
                let store = try NodeStore.create(in: base, identity: NodeIdentity(id: "340321", name: "基准县", level: .county))
                let catalogCSV = try String(contentsOfFile: "nodes/huaiyuan/items.csv", encoding: .utf8)
                _ = try store.importCatalog(name: "items.csv", bytes: Array(catalogCSV.utf8))
                let codes = try store.catalog().items.keys.sorted()
                let today = store.zone.day(of: .now())
                let days = years * 365
                var origins = ["340321"]
                Console.error("building \(townships) townships, \(villages) villages, \(years) years of daily rows …")
                let start = Date()
                try store.pool.write { db in
                    let now = Timestamp.now().seconds
                    for t in 0..<townships {
                        let tid = "340321\(Day.pad(100 + t, 3))"
                        try db.execute(sql: "INSERT INTO node (id, name, level, parent, enrolled_at, status_as_of) VALUES (?, ?, 'township', '340321', ?, ?)",
                                       arguments: [tid, "镇\(t)", now, now])
                        origins.append(tid)
                    }
                    for v in 0..<villages {
                        let tid = "340321\(Day.pad(100 + v % max(townships, 1), 3))"
                        let vid = "\(tid)\(Day.pad(200 + v / max(townships, 1), 3))"
                        try db.execute(sql: "INSERT INTO node (id, name, level, parent, enrolled_at, status_as_of) VALUES (?, ?, 'village', ?, ?, ?)",
                                       arguments: [vid, "村\(v)", tid, now, now])
                        origins.append(vid)
                    }
                    let cols = SummaryCounters.columns
                    let stmt = try db.makeStatement(sql: "INSERT INTO summary (origin, day, item, \(cols.joined(separator: ", ")), origin_rev, rev) VALUES (?, ?, ?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?)")
                    var rev = 0
                    var rng = SeededRandom(seed: 9)
                    for d in 0..<days {
                        let day = today.adding(days: -d).description
                        for o in origins {
                            for k in 0..<items {
                                rev += 1
                                let a = Int.random(in: 0...9, using: &rng)
                                // In SummaryCounters.columns order: accepted … visits, due, due_met, then the five grades.
                                var values = [a, a / 3, a / 5, a, a - a / 10, a / 2, a / 2, a, a - a / 10, 1, 0, 0, 0, 0]
                                if rev % 997 == 0 { values[12] = 1 }   // a 差评 (不满意) now and then
                                try stmt.execute(arguments: StatementArguments([o, day, codes[(k * 7 + d) % codes.count]] + values + [rev, rev]))
                            }
                        }
                    }
                    try db.execute(sql: "UPDATE counter SET value = ? WHERE name = 'rev'", arguments: [rev])
                }
                Console.error("built in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; timing …")
                try measure(store)
            }
        }

        func measure(_ store: NodeStore) throws {
                let rows = try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM summary") ?? 0 }
                let nodeCount = try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM node") ?? 0 }
                let today = store.zone.day(of: .now())
                let year = Period(from: today.adding(days: -364), to: today)
                func time(_ body: () throws -> Void) throws -> Double {
                    var xs: [Double] = []
                    for _ in 0..<runs {
                        let t = Date()
                        try body()
                        xs.append(Date().timeIntervalSince(t) * 1000)
                    }
                    return xs.sorted()[xs.count / 2]
                }
                let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
                let raw = try time {
                    _ = try store.pool.read { try Row.fetchAll($0, sql: "SELECT origin, \(sums) FROM summary WHERE day BETWEEN ? AND ? GROUP BY origin",
                                                               arguments: [year.from.description, year.to.description]) }
                }
                let full = try time { _ = try store.dashboard(period: year).json(zone: store.zone).render() }
                let byTownship = try time { _ = try store.dashboard(period: year, breakdown: (.township, 0)).json(zone: store.zone).render() }
                print("dashboard, \(NumberText.thousands(rows)) summary rows (\(nodeCount) nodes), a year's period, \(FederationBench.build) build, median of \(runs)")
                print("  raw SELECT origin, sum(…) GROUP BY origin   \(String(format: "%.0f", raw)) ms")
                print("  sanji dashboard --format json                \(String(format: "%.0f", full)) ms  (goal < 300 ms)")
                print("  sanji dashboard --by township --format json  \(String(format: "%.0f", byTownship)) ms")
        }
    }
}
