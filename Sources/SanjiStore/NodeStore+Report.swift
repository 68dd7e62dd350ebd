import SanjiCore

extension NodeStore {
    /// The 窗口工作月度通报 of `year`-`month`, as at its end (or today while it runs): the month
    /// beside the month before (环比) and the same month a year before (同比), 本年累计 beside
    /// its own 同比, every breakdown, the exceptions and the year's targets. While the month runs,
    /// the months compared are cut to the same days (1–25 November beside 1–25 October and
    /// 1–25 November a year before). Throws for a month that has not begun.
    public func monthlyReport(year: Int, month: Int, now: Timestamp? = nil, staleAfter: Int64 = 86_400, document: MonthlyReport.Document? = nil)
        throws -> MonthlyReport
    {
        let now = now ?? clock.now
        let today = zone.day(of: now)
        guard let period = Period.month(year: year, month: month) else {
            throw SanjiError(.invalidArgument, "\(year)-\(month) is not a month")
        }
        guard period.from <= today else {
            throw SanjiError(.invalidArgument, "\(period.from.description.prefix(7)) has not begun (today is \(today)); a 通报 reports a month that has begun",
                             hint: "a month still running is reported as at today: sanji report monthly \(String(today.description.prefix(7)))")
        }
        let lastDay = min(period.to, today)
        let cutDay = lastDay.components.day
        /// The month `back` months before, cut to the days the current month has run.
        func earlier(months back: Int) -> Period {
            let index = year * 12 + (month - 1) - back
            let (y, m) = (index / 12, index % 12 + 1)
            let first = Day(year: y, month: m, day: 1)!
            let last = Day(year: y, month: m, day: min(cutDay, Day.daysIn(year: y, month: m)))!
            return Period(from: first, to: lastDay == period.to ? Period.month(year: y, month: m)!.to : last)
        }
        let ytd = Period(from: Day(year: year, month: 1, day: 1)!, to: period.to)
        let lastYearEnd = Day(year: year - 1, month: month, day: min(lastDay.components.day, Day.daysIn(year: year - 1, month: month)))!
        let lastYtd = Period(from: Day(year: year - 1, month: 1, day: 1)!, to: lastDay == period.to ? Period.month(year: year - 1, month: month)!.to : lastYearEnd)

        func board(_ p: Period, _ kind: BreakdownKind? = nil) throws -> DashboardReport {
            try dashboard(period: p, now: now, staleAfter: staleAfter, breakdown: kind.map { ($0, 0) })
        }
        // The month's five views from one read (they share everything but the breakdown).
        let views = try dashboards(period: period, now: now, staleAfter: staleAfter,
                                   breakdowns: [BreakdownKind.township, .node, .department, .window, .staff].map { ($0, 0) })
        let current = views[0]
        let yearToDate = try board(ytd, .node)
        let periods = MonthlyReport.Periods(current: current, previous: try board(earlier(months: 1), .township), lastYear: try board(earlier(months: 12)),
                                            yearToDate: yearToDate, lastYearToDate: try board(lastYtd))
        let breakdowns = MonthlyReport.Breakdowns(
            stations: views[1].breakdown?.rows ?? [], departments: views[2].breakdown?.rows ?? [],
            windows: views[3].breakdown?.rows ?? [], staff: views[4].breakdown?.rows ?? [])
        let catalog = try self.catalog()
        let targets = try self.targets(year: year).map { TargetProgress($0, yearToDate: yearToDate) }
        return MonthlyReport(year: year, month: month, periods: periods, breakdowns: breakdowns, exceptions: try exceptions(period: period, now: now),
                             targets: targets, weights: catalog.scoreWeights, honorWindows: catalog.honorWindows,
                             document: document ?? MonthlyReport.Document(issuer: identity.name, date: today))
    }
}
