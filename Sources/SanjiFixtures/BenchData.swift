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
    /// on working hours, spread over 200 items `BENCH0000…` (承诺时限 as `catalogCSV(items:)`
    /// gives them). A share `overdue` of them ends up past its deadline (half left open, half
    /// completed late), each of which makes an exception record; the rest are completed in time.
    public static func yearOfCases(rows: Int, zone: ZoneRule, now: Timestamp, overdue: Double = 0.02, seed: UInt64 = 42) -> String {
        var rng = SeededRandom(seed: seed)
        var out = ActivitySimulator.caseHeader + "\n"
        out.reserveCapacity(rows * 130)
        let channels = ["window", "online", "mobile", "kiosk", "agent"]
        let promised = [0, 1, 3, 5, 10]
        let firstDay = zone.day(of: now).adding(days: -365)
        for i in 0..<rows {
            let day = firstDay.adding(days: i * 353 / max(rows, 1))
            let accepted = zone.timestamp(localSeconds: Int64(day.number) * 86_400 + 9 * 3600 + Int64(i * 7919 % 28_800))
            let itemIndex = Int.random(in: 0..<200, using: &rng)
            out += "C\(Day.pad(i, 10)),BENCH\(Day.pad(itemIndex, 4)),\(zone.format(accepted)),\(channels[i % 5]),"
            let days = Int64(promised[itemIndex % 5])
            let completed: Int64?
            if rng.chance(overdue) {
                // Past its deadline: open (the deadline is at most 10 working days, 15 calendar days, after
                // acceptance, and every case is 12 days old or more), or completed a few days after it.
                completed = rng.chance(0.5) ? nil : min(accepted.seconds + (days * 7 / 5 + 3 + Int64.random(in: 1...5, using: &rng)) * 86_400, now.seconds)
            } else {
                // In time: within its 承诺时限 counted in calendar days (never later than in working days).
                completed = accepted.seconds + (days == 0 ? Int64.random(in: 600...3600, using: &rng) : Int64.random(in: 600...(days * 86_400), using: &rng))
            }
            if let completed {
                out += "\(zone.format(Timestamp(seconds: completed))),approved,\(i % 3),"
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
