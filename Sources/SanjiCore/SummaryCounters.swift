/// The counters of one summary row, keyed by (origin node, day, item). Every case and evaluation
/// figure of docs/figures.md is a sum of these over days, each counted on the day its event
/// happened, so the state as at any past day can be computed (the follow-up of 差评 comes from
/// `BadReviewRecord`s instead).
public struct SummaryCounters: Hashable, Sendable {
    /// Cases accepted (办件量), on the acceptance day.
    public var accepted = 0
    /// Of `accepted`, those through 网上, 掌上 or 自助.
    public var acceptedOnline = 0
    /// Of `accepted`, 帮办代办 cases (marked assisted, or of the `agent` channel).
    public var assisted = 0
    /// Cases completed (办结量), on the completion day.
    public var completed = 0
    /// Of `completed`, those completed on or before their deadline.
    public var completedOnTime = 0
    /// Completed on the day of acceptance (当场办结).
    public var completedImmediate = 0
    /// Σ 跑动次数 of the cases completed.
    public var visits = 0
    /// Cases whose promised deadline is this day (on the deadline day's row, whatever their state):
    /// with `dueMet`, what tells the cases open past their deadline as at any day.
    public var due = 0
    /// Of `due`, the cases completed on or before that deadline.
    public var dueMet = 0
    /// Evaluations per grade (非常满意 … 非常不满意): fixed fields, so that no row allocates.
    public var gradeVerySatisfied = 0
    /// Evaluations graded 满意.
    public var gradeSatisfied = 0
    /// Evaluations graded 基本满意.
    public var gradeFair = 0
    /// Evaluations graded 不满意 (a 差评).
    public var gradeDissatisfied = 0
    /// Evaluations graded 非常不满意 (a 差评).
    public var gradeVeryDissatisfied = 0
    /// Of `accepted`, cases served with 帮办 (on the acceptance day, like every mode below).
    public var modeHelp = 0
    /// Of `accepted`, cases served with 代办 (the `agent` channel included).
    public var modeProxy = 0
    /// Of `accepted`, cases served 上门 (the `home` channel included).
    public var modeHome = 0
    /// Of `accepted`, cases served by 预约.
    public var modeAppointment = 0
    /// Of `accepted`, cases served in 延时 hours.
    public var modeExtended = 0
    /// Of `accepted`, cases whose results were mailed (政务专递).
    public var modeMail = 0
    /// 咨询服务: consultations recorded that are no case (`ConsultRecord`), on their day.
    public var consultations = 0

    /// All zero.
    public init() {}

    /// Column names in storage and on the wire, in the order of `values`.
    public static let columns = [
        "accepted", "accepted_online", "assisted", "completed", "completed_on_time", "completed_immediate",
        "visits", "due", "due_met", "grade_very_satisfied", "grade_satisfied", "grade_fair", "grade_dissatisfied",
        "grade_very_dissatisfied", "mode_help", "mode_proxy", "mode_home", "mode_appointment", "mode_extended", "mode_mail",
        "consultations",
    ]

    /// The counters in `columns` order.
    public var values: [Int] {
        [accepted, acceptedOnline, assisted, completed, completedOnTime, completedImmediate, visits, due, dueMet,
         gradeVerySatisfied, gradeSatisfied, gradeFair, gradeDissatisfied, gradeVeryDissatisfied,
         modeHelp, modeProxy, modeHome, modeAppointment, modeExtended, modeMail, consultations]
    }

    /// The values in `columns` order without building an array: the codec and the stores call
    /// this for every row they move (bench uplink: 20 % of a parent's time went to `values`).
    @inlinable
    public func forEachValue(_ body: (Int) throws -> Void) rethrows {
        try body(accepted); try body(acceptedOnline); try body(assisted); try body(completed)
        try body(completedOnTime); try body(completedImmediate); try body(visits); try body(due); try body(dueMet)
        try body(gradeVerySatisfied); try body(gradeSatisfied); try body(gradeFair)
        try body(gradeDissatisfied); try body(gradeVeryDissatisfied)
        try body(modeHelp); try body(modeProxy); try body(modeHome); try body(modeAppointment); try body(modeExtended)
        try body(modeMail); try body(consultations)
    }

    /// Evaluations per grade, in `Grade.allCases` order.
    public var grades: [Int] {
        [gradeVerySatisfied, gradeSatisfied, gradeFair, gradeDissatisfied, gradeVeryDissatisfied]
    }

    /// The evaluations of one grade.
    public subscript(grade: Grade) -> Int {
        get {
            switch grade {
            case .verySatisfied: gradeVerySatisfied
            case .satisfied: gradeSatisfied
            case .fair: gradeFair
            case .dissatisfied: gradeDissatisfied
            case .veryDissatisfied: gradeVeryDissatisfied
            }
        }
        set {
            switch grade {
            case .verySatisfied: gradeVerySatisfied = newValue
            case .satisfied: gradeSatisfied = newValue
            case .fair: gradeFair = newValue
            case .dissatisfied: gradeDissatisfied = newValue
            case .veryDissatisfied: gradeVeryDissatisfied = newValue
            }
        }
    }

    /// Counters from values in `columns` order; traps unless there is one per column.
    public init(values v: [Int]) {
        precondition(v.count == SummaryCounters.columns.count)
        accepted = v[0]
        acceptedOnline = v[1]
        assisted = v[2]
        completed = v[3]
        completedOnTime = v[4]
        completedImmediate = v[5]
        visits = v[6]
        due = v[7]
        dueMet = v[8]
        gradeVerySatisfied = v[9]
        gradeSatisfied = v[10]
        gradeFair = v[11]
        gradeDissatisfied = v[12]
        gradeVeryDissatisfied = v[13]
        modeHelp = v[14]
        modeProxy = v[15]
        modeHome = v[16]
        modeAppointment = v[17]
        modeExtended = v[18]
        modeMail = v[19]
        consultations = v[20]
    }

    /// The counters with `value(i)` as the one at index `i` of `columns`: reads a row's columns
    /// straight into the counters, with no array between (the dashboard reads tens of thousands).
    @inlinable
    public init(_ value: (Int) -> Int) {
        self.init()
        accepted = value(0)
        acceptedOnline = value(1)
        assisted = value(2)
        completed = value(3)
        completedOnTime = value(4)
        completedImmediate = value(5)
        visits = value(6)
        due = value(7)
        dueMet = value(8)
        gradeVerySatisfied = value(9)
        gradeSatisfied = value(10)
        gradeFair = value(11)
        gradeDissatisfied = value(12)
        gradeVeryDissatisfied = value(13)
        modeHelp = value(14)
        modeProxy = value(15)
        modeHome = value(16)
        modeAppointment = value(17)
        modeExtended = value(18)
        modeMail = value(19)
        consultations = value(20)
    }

    /// Cases served in `mode`.
    public subscript(mode: ServiceMode) -> Int {
        get {
            switch mode {
            case .help: modeHelp
            case .proxy: modeProxy
            case .home: modeHome
            case .appointment: modeAppointment
            case .extended: modeExtended
            case .mail: modeMail
            }
        }
        set {
            switch mode {
            case .help: modeHelp = newValue
            case .proxy: modeProxy = newValue
            case .home: modeHome = newValue
            case .appointment: modeAppointment = newValue
            case .extended: modeExtended = newValue
            case .mail: modeMail = newValue
            }
        }
    }

    /// 帮办代办服务 (次) as the seeds itemise it: 帮办 + 代办 + 上门 + 咨询 (docs/figures.md).
    public var assistanceServices: Int { modeHelp + modeProxy + modeHome + consultations }

    /// Whether every counter is 0.
    public var isZero: Bool { self == SummaryCounters() }

    /// 评价数 as given: every grade, appealed 差评 included.
    public var evaluations: Int {
        gradeVerySatisfied + gradeSatisfied + gradeFair + gradeDissatisfied + gradeVeryDissatisfied
    }

    /// 差评 as given (不满意 + 非常不满意), appealed ones included.
    public var badReviews: Int { gradeDissatisfied + gradeVeryDissatisfied }

    /// Cases completed after their deadline (on their completion day's row).
    public var completedLate: Int { completed - completedOnTime }

    /// Why no station could have written this row, or nil: a part larger than its whole (more
    /// cases online than accepted, more on time than completed …). Whether more cases were
    /// completed than accepted can only be told over a node's whole history
    /// (`Attention.impossible`).
    public var impossibility: String? {
        // Every row a parent receives is checked: the common case, a possible row, allocates nothing.
        let largestMode = max(modeHelp, modeProxy, modeHome, modeAppointment, modeExtended, modeMail)
        guard acceptedOnline > accepted || assisted > accepted || largestMode > accepted || completedOnTime > completed
            || completedImmediate > completed || dueMet > due || visits > 99 * completed else { return nil }
        let parts: [(String, Int, String, Int)] = [
            ("accepted_online", acceptedOnline, "accepted", accepted), ("assisted", assisted, "accepted", accepted),
            ("completed_on_time", completedOnTime, "completed", completed), ("completed_immediate", completedImmediate, "completed", completed),
            ("due_met", dueMet, "due", due),
        ] + ServiceMode.allCases.map { ("mode_\($0.name)", self[$0], "accepted", accepted) }
        for (part, p, whole, w) in parts where p > w { return "\(part) \(p) is more than \(whole) \(w)" }
        if visits > 99 * completed { return "visits \(visits) is more than 99 for each of \(completed) completed cases" }
        return nil
    }

    private static func combine(_ a: SummaryCounters, _ b: SummaryCounters, _ op: (Int, Int) -> Int) -> SummaryCounters {
        var r = SummaryCounters()
        r.accepted = op(a.accepted, b.accepted)
        r.acceptedOnline = op(a.acceptedOnline, b.acceptedOnline)
        r.assisted = op(a.assisted, b.assisted)
        r.completed = op(a.completed, b.completed)
        r.completedOnTime = op(a.completedOnTime, b.completedOnTime)
        r.completedImmediate = op(a.completedImmediate, b.completedImmediate)
        r.visits = op(a.visits, b.visits)
        r.due = op(a.due, b.due)
        r.dueMet = op(a.dueMet, b.dueMet)
        r.gradeVerySatisfied = op(a.gradeVerySatisfied, b.gradeVerySatisfied)
        r.gradeSatisfied = op(a.gradeSatisfied, b.gradeSatisfied)
        r.gradeFair = op(a.gradeFair, b.gradeFair)
        r.gradeDissatisfied = op(a.gradeDissatisfied, b.gradeDissatisfied)
        r.gradeVeryDissatisfied = op(a.gradeVeryDissatisfied, b.gradeVeryDissatisfied)
        r.modeHelp = op(a.modeHelp, b.modeHelp)
        r.modeProxy = op(a.modeProxy, b.modeProxy)
        r.modeHome = op(a.modeHome, b.modeHome)
        r.modeAppointment = op(a.modeAppointment, b.modeAppointment)
        r.modeExtended = op(a.modeExtended, b.modeExtended)
        r.modeMail = op(a.modeMail, b.modeMail)
        r.consultations = op(a.consultations, b.consultations)
        return r
    }

    /// Counter-wise sum.
    public static func + (a: SummaryCounters, b: SummaryCounters) -> SummaryCounters { combine(a, b, +) }

    /// Counter-wise difference (negative counters allowed, as in a delta).
    public static func - (a: SummaryCounters, b: SummaryCounters) -> SummaryCounters { combine(a, b, -) }

    /// Adds `b` to `a`, counter by counter.
    public static func += (a: inout SummaryCounters, b: SummaryCounters) { a = a + b }
}

/// A summary row's key within one origin.
public struct SummaryKey: Hashable, Sendable, Comparable {
    /// The day the row's events happened, cut in the deployment's time zone.
    public let day: Day
    /// The item code; empty for evaluations of the station as a whole.
    public let item: String

    /// The key of an item's row on a day.
    public init(day: Day, item: String) {
        self.day = day
        self.item = item
    }

    /// By day, then item.
    public static func < (a: SummaryKey, b: SummaryKey) -> Bool { (a.day, a.item) < (b.day, b.item) }
}

/// What one case or evaluation adds to the summary rows. The write path applies
/// `contribution(new) - contribution(old)`; a recomputation sums `contribution` over the raw
/// tables. Both use these functions, so they cannot disagree on a definition.
public enum Contribution {
    /// A case's rows: acceptance on its acceptance day, completion on its completion day, `due` on its deadline day.
    public static func of(_ c: CaseRecord, zone: ZoneRule) -> [SummaryKey: SummaryCounters] {
        var out: [SummaryKey: SummaryCounters] = [:]
        forEach(of: c, zone: zone) { out[$0, default: SummaryCounters()] += $1 }
        return out
    }

    /// A case's contributions one by one (a key may come more than once: a 即办件 completed the
    /// day it was accepted adds to one row three times), without building a dictionary: the
    /// write path of every import calls this for every case.
    @inlinable
    public static func forEach(of c: CaseRecord, zone: ZoneRule, _ body: (SummaryKey, SummaryCounters) -> Void) {
        let acceptDay = zone.day(of: c.acceptedAt)
        var a = SummaryCounters()
        a.accepted = 1
        a.acceptedOnline = c.channel.isOnline ? 1 : 0
        a.assisted = c.assisted ? 1 : 0
        if c.modes.rawValue != 0 { for m in c.modes.modes { a[m] = 1 } }
        body(SummaryKey(day: acceptDay, item: c.itemCode), a)
        var due = SummaryCounters()
        due.due = 1
        if let completedAt = c.completedAt {
            let doneDay = zone.day(of: completedAt)
            var d = SummaryCounters()
            d.completed = 1
            d.completedOnTime = doneDay <= c.deadline ? 1 : 0
            d.completedImmediate = doneDay == acceptDay ? 1 : 0
            d.visits = c.visits ?? 0
            body(SummaryKey(day: doneDay, item: c.itemCode), d)
            due.dueMet = d.completedOnTime
        }
        body(SummaryKey(day: c.deadline, item: c.itemCode), due)
    }

    /// An evaluation's row: its grade on the evaluation day.
    public static func of(_ e: EvaluationRecord, zone: ZoneRule) -> [SummaryKey: SummaryCounters] {
        var out: [SummaryKey: SummaryCounters] = [:]
        forEach(of: e, zone: zone) { out[$0, default: SummaryCounters()] += $1 }
        return out
    }

    /// An evaluation's contribution, as `forEach(of:zone:_:)` gives a case's.
    @inlinable
    public static func forEach(of e: EvaluationRecord, zone: ZoneRule, _ body: (SummaryKey, SummaryCounters) -> Void) {
        // What happens to a 差评 afterwards (整改, 回访, 申诉) is dated, so it travels as its own
        // record (BadReviewRecord), from which every follow-up figure is computed as at a day.
        var s = SummaryCounters()
        s[e.grade] = 1
        body(SummaryKey(day: zone.day(of: e.evaluatedAt), item: e.itemCode), s)
    }

    /// A consultation's row: one 咨询 on its day.
    @inlinable
    public static func forEach(of c: ConsultRecord, zone: ZoneRule, _ body: (SummaryKey, SummaryCounters) -> Void) {
        var s = SummaryCounters()
        s.consultations = 1
        body(SummaryKey(day: zone.day(of: c.at), item: c.itemCode), s)
    }

    /// What a record adds to the rows of its window and its staff member: the same counters as
    /// its item rows, keyed by window or 工号 instead of item (nothing when both are empty).
    @inlinable
    public static func forEachUnit<R: SummarySource>(of r: R, zone: ZoneRule, _ body: (UnitKey, SummaryCounters) -> Void) {
        let window = r.window, staff = r.staff
        guard !window.isEmpty || !staff.isEmpty else { return }
        r.forEachContribution(zone: zone) { k, v in
            if !window.isEmpty { body(UnitKey(day: k.day, kind: .window, unit: window), v) }
            if !staff.isEmpty { body(UnitKey(day: k.day, kind: .staff, unit: staff), v) }
        }
    }

    /// `new - old`, dropping keys whose delta is zero.
    public static func delta(
        from old: [SummaryKey: SummaryCounters], to new: [SummaryKey: SummaryCounters]
    ) -> [SummaryKey: SummaryCounters] {
        var out = new
        for (k, v) in old { out[k, default: SummaryCounters()] = out[k, default: SummaryCounters()] - v }
        return out.filter { !$0.value.isZero }
    }
}

/// Which kind of unit a unit row counts for.
public enum UnitKind: String, CaseIterable, Sendable {
    /// A window (窗口) of a station: its rows always travel.
    case window
    /// A staff member (工号): rows travel only when the county's `staff_figures` setting is `county`.
    case staff

    /// 窗口 or 工作人员.
    public var label: String { self == .window ? "窗口" : "工作人员" }
}

/// A unit row's key within one origin: the same counters as the item rows, per window or staff member.
public struct UnitKey: Hashable, Sendable, Comparable {
    /// The day the row's events happened.
    public let day: Day
    /// Window or staff.
    public let kind: UnitKind
    /// The window's id or the 工号.
    public let unit: String

    /// The key of a unit's row on a day.
    public init(day: Day, kind: UnitKind, unit: String) {
        self.day = day
        self.kind = kind
        self.unit = unit
    }

    /// By day, kind, then unit.
    public static func < (a: UnitKey, b: UnitKey) -> Bool { (a.day, a.kind.rawValue, a.unit) < (b.day, b.kind.rawValue, b.unit) }
}

/// A record that adds to summary rows: cases, evaluations and consultations.
public protocol SummarySource: Hashable, Sendable {
    /// The window it belongs to, or empty.
    var window: String { get }
    /// The 工号 it belongs to, or empty.
    var staff: String { get }
    /// What the record adds to the summary rows.
    func contribution(zone: ZoneRule) -> [SummaryKey: SummaryCounters]
    /// The same, one (key, counters) pair at a time (a key may repeat).
    func forEachContribution(zone: ZoneRule, _ body: (SummaryKey, SummaryCounters) -> Void)
}

extension CaseRecord: SummarySource {
    /// `Contribution.of` this case.
    public func contribution(zone: ZoneRule) -> [SummaryKey: SummaryCounters] { Contribution.of(self, zone: zone) }
    /// `Contribution.forEach` of this case.
    public func forEachContribution(zone: ZoneRule, _ body: (SummaryKey, SummaryCounters) -> Void) { Contribution.forEach(of: self, zone: zone, body) }
}

extension EvaluationRecord: SummarySource {
    /// `Contribution.of` this evaluation.
    public func contribution(zone: ZoneRule) -> [SummaryKey: SummaryCounters] { Contribution.of(self, zone: zone) }
    /// `Contribution.forEach` of this evaluation.
    public func forEachContribution(zone: ZoneRule, _ body: (SummaryKey, SummaryCounters) -> Void) { Contribution.forEach(of: self, zone: zone, body) }
}

extension ConsultRecord: SummarySource {
    /// `Contribution.forEach` of this consultation, as a dictionary.
    public func contribution(zone: ZoneRule) -> [SummaryKey: SummaryCounters] {
        var out: [SummaryKey: SummaryCounters] = [:]
        Contribution.forEach(of: self, zone: zone) { out[$0, default: SummaryCounters()] += $1 }
        return out
    }
    /// `Contribution.forEach` of this consultation.
    public func forEachContribution(zone: ZoneRule, _ body: (SummaryKey, SummaryCounters) -> Void) { Contribution.forEach(of: self, zone: zone, body) }
}
