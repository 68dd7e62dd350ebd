import SanjiCore

/// Made-up data of known shape for the benchmarks (`sanji-bench`), generated here rather than
/// read from a sample county, so that every scenario runs anywhere and every size is exact.
public enum BenchData {
    /// items.csv of `items` items handled at every level: codes `<prefix>0000…`, 承诺时限 varied
    /// from `promised` (0: every item is a 即办件, completed the day it is accepted).
    public static func catalogCSV(items: Int, prefix: String = "BENCH", promised: Int? = nil) -> String {
        var csv = CatalogParsing.itemColumns.joined(separator: ",") + "\n"
        for i in 0..<items {
            let days = promised.map { $0 == 0 ? 0 : $0 + i % 5 } ?? [0, 1, 3, 5, 10][i % 5]
            csv += "\(prefix)\(Day.pad(i, 4)),事项\(i),\(i % 3 == 0 ? "20" : "01"),县数据资源局,county|township|village,\(20 + i % 10),\(days),\(1 + i % 4),\(i % 3),active\n"
        }
        return csv
    }

    /// cases.csv of `rows` cases accepted over the year before `now` (up to 12 days before it),
    /// three in four completed within about ten days, spread over 200 items `BENCH0000…`.
    public static func yearOfCases(rows: Int, zone: ZoneRule, now: Timestamp, seed: UInt64 = 42) -> String {
        var rng = SeededRandom(seed: seed)
        var out = ActivitySimulator.caseHeader + "\n"
        out.reserveCapacity(rows * 130)
        let channels = ["window", "online", "mobile", "kiosk", "agent"]
        let start = now.seconds - 365 * 86_400
        for i in 0..<rows {
            let accepted = Timestamp(seconds: start + Int64(i) * (353 * 86_400) / Int64(max(rows, 1)))
            let item = "BENCH\(Day.pad(Int.random(in: 0..<200, using: &rng), 4))"
            out += "C\(Day.pad(i, 10)),\(item),\(zone.format(accepted)),\(channels[i % 5]),"
            if i % 4 != 0 {
                out += "\(zone.format(Timestamp(seconds: accepted.seconds + Int64.random(in: 600...900_000, using: &rng)))),approved,\(i % 3),"
            } else {
                out += ",,,"
            }
            out += "\(i % 5 == 4 ? 1 : 0),张三,34032119800101\(Day.pad(i % 10_000, 4))\n"
        }
        return out
    }

    /// cases.csv that makes exactly `rows` summary rows at a station whose catalogue is
    /// `catalogCSV(items: items, promised: 0)`: one case per (day, item), each a 即办件 completed
    /// within the hour, on the `rows / items` days before `today`.
    public static func oneCasePerRow(rows: Int, items: Int, prefix: String = "BENCH", zone: ZoneRule, today: Day) -> String {
        var out = ActivitySimulator.caseHeader + "\n"
        out.reserveCapacity(rows * 100)
        let days = (rows + items - 1) / items
        for i in 0..<rows {
            let day = today.adding(days: -(days - i / items))
            let accepted = zone.timestamp(localSeconds: Int64(day.number) * 86_400 + 9 * 3600 + Int64(i % 3600))
            out += "U\(Day.pad(i, 9)),\(prefix)\(Day.pad(i % items, 4)),\(zone.format(accepted)),window,"
            out += "\(zone.format(Timestamp(seconds: accepted.seconds + 1800))),approved,1,0,,\n"
        }
        return out
    }

    /// Counters a station could have written (no part larger than its whole), varied by `i`: a
    /// parent refuses impossible rows.
    public static func plausible(_ i: Int) -> SummaryCounters {
        var c = SummaryCounters()
        c.accepted = 5 + i % 40
        c.acceptedOnline = c.accepted / 2
        c.assisted = c.accepted / 5
        c.completed = 3 + i % 37
        c.completedOnTime = c.completed - i % 3
        c.completedImmediate = c.completed / 3
        c.visits = c.completed
        c.due = c.accepted
        c.dueMet = c.due - i % 4
        c.gradeVerySatisfied = i % 11
        c.gradeSatisfied = i % 5
        c.gradeDissatisfied = i % 97 == 0 ? 1 : 0
        return c
    }
}
