/// The exceptions behind a period's figures, as they stood at its end (`sanji exceptions`, and
/// the 通报's lists): cases open past their deadline at the end or completed late within the
/// period, and the period's 差评 with those of earlier periods still open at its start.
public struct ExceptionList: Sendable {
    /// A case past its deadline: open at the period's end, or completed late within it.
    public struct Case: Sendable, Equatable {
        /// The exception record as its origin sent it.
        public var record: OverdueCase
        /// Open past its deadline at the period's end, or completed late within the period.
        public var state: OverdueState
        /// Working days past the deadline (to completion, or to the period's end while open).
        public var daysOverdue: Int
        /// The completion day as at the period's end: nil if the case was still open then.
        public var completedDay: Day? { state == .completedLate ? record.completedDay : nil }
    }

    /// A 差评 with its 整改, 回访 and appeal as they stood at the period's end.
    public struct Review: Sendable, Equatable {
        /// The exception record as its origin sent it (its follow-up as known today).
        public var record: BadReview
        /// The last day for its 整改.
        public var rectifyDue: Day
        /// Each as at the period's end: a 整改 made after it is not shown.
        public var rectifiedDay: Day?
        /// The 回访 day, if the 回访 was made by the period's end.
        public var revisitedDay: Day?
        /// The 回访's grade, if the 回访 was made by the period's end.
        public var revisitGrade: Grade?
        /// The 申诉复核 decision, if it was decided by the period's end.
        public var appeal: AppealDecision?
        /// Past its 整改 limit and not rectified at the period's end (超期未整改).
        public var overdueUnrectified: Bool
        /// Evaluated before the period and still unrectified when it began.
        public var carriedOver: Bool
    }

    /// Which exceptions to list (`--kind overdue|bad-review`).
    public enum Kind: String, CaseIterable, Sendable {
        case overdue
        case badReview = "bad-review"
    }

    /// The period and the day its records stand at.
    public let asAt: AsAt
    /// Overdue cases, by origin, deadline and 办件编号.
    public var cases: [Case] = []
    /// 差评, by origin, day and 评价编号.
    public var reviews: [Review] = []

    /// Picks and dates the records that matter for the period of `asAt`.
    public init(records: some Sequence<ExceptionRecord>, asAt: AsAt, catalog: Catalog, kinds: Set<Kind> = Set(Kind.allCases)) {
        self.asAt = asAt
        let end = asAt.lastDay
        for record in records {
            switch record {
            case .overdueCase(let c) where kinds.contains(.overdue):
                guard let state = c.state(at: asAt) else { continue }
                cases.append(Case(record: c, state: state, daysOverdue: c.workingDaysOverdue(at: asAt, calendar: catalog.calendar)))
            case .badReview(let r) where kinds.contains(.badReview):
                guard r.day <= end else { continue }
                let carried = r.day < asAt.period.from
                if carried {
                    // An earlier 差评 matters only if it was still open (and not taken out) when the period began.
                    let before = asAt.period.from.adding(days: -1)
                    guard !r.rectified(by: before), !r.upheld(by: before) else { continue }
                }
                reviews.append(Review(
                    record: r, rectifyDue: r.rectifyDue(catalog), rectifiedDay: r.rectified(by: end) ? r.rectifiedDay : nil,
                    revisitedDay: r.revisited(by: end) ? r.revisitedDay : nil, revisitGrade: r.revisited(by: end) ? r.revisitGrade : nil,
                    appeal: r.appealDecided(by: end), overdueUnrectified: r.overdueUnrectified(at: asAt, catalog: catalog), carriedOver: carried))
            default: continue
            }
        }
        cases.sort { ($0.record.origin, $0.record.deadline, $0.record.caseNo) < ($1.record.origin, $1.record.deadline, $1.record.caseNo) }
        reviews.sort { ($0.record.origin, $0.record.day, $0.record.evalId) < ($1.record.origin, $1.record.day, $1.record.evalId) }
    }

    /// Cases open past their deadline at the period's end.
    public var openOverdue: [Case] { cases.filter { $0.state == .open } }
    /// 差评 past their 整改 limit and unrectified at the period's end.
    public var unrectifiedOverdue: [Review] { reviews.filter(\.overdueUnrectified) }
}
