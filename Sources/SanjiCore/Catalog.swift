/// The catalogue as a node holds it at one sequence: items, working-day calendar, settings.
public struct Catalog: Sendable {
    /// Every item by its 事项编码, withdrawn ones included.
    public var items: [String: CatalogItem]
    /// The working-day calendar that deadlines and 整改 limits are counted on.
    public var calendar: WorkCalendar
    /// The catalogue sequence held: a node below the root's has not yet applied the latest rows.
    public var sequence: Int
    /// Working days a 差评 has for 整改 (areas use 5 to 15).
    public var rectifyDays: Int
    /// How far a station's clock may be off (and a time lie in the future) before it is flagged or refused.
    public var clockSkewMinutes: Int
    /// How percentages print.
    public var rounding = Rounding.default
    /// Which items the catalogue figures count.
    public var scope = CatalogScope.onApplication
    /// The 网办深度 from which an item counts as 网上可办 (2: Ⅱ 收件/预审 and up; some provinces 3).
    public var onlineMinDepth = 2
    /// Whether the figures of staff members (by 工号) leave the station: `false` (the default) keeps them home.
    public var staffFiguresTravel = false
    /// The weights of the 综合得分 (docs/figures.md, "Rankings").
    public var scoreWeights = ScoreWeights.default
    /// How many windows the 通报 names as 红旗窗口, and at most how many as 需关注 by score.
    public var honorWindows = 3

    /// The 整改 limit when the county sets none, in working days.
    public static let defaultRectifyDays = 10
    /// The clock skew allowed when the county sets none, in minutes.
    public static let defaultClockSkewMinutes = 10

    /// The keys of the settings that travel with the catalogue (docs/protocol.md, CATALOG).
    public enum SettingKey: String, CaseIterable, Sendable {
        case rectifyDays = "rectify_days"
        case clockSkewMinutes = "clock_skew_minutes"
        case rounding
        case catalogScope = "catalog_scope"
        case onlineMinDepth = "online_min_depth"
        case staffFigures = "staff_figures"
        case scoreWeights = "score_weights"
        case honorWindows = "honor_windows"
    }

    /// Applies one setting as stored or received; unknown keys and values that do not parse are
    /// left at their defaults (a newer root may send settings an older node does not know).
    public mutating func apply(setting key: String, value: String) {
        switch SettingKey(rawValue: key) {
        case .rectifyDays: if let n = Int(value), (1...60).contains(n) { rectifyDays = n }
        case .clockSkewMinutes: if let n = Int(value), (1...1440).contains(n) { clockSkewMinutes = n }
        case .rounding: if let r = Rounding(rawValue: value) { rounding = r }
        case .catalogScope: if let s = CatalogScope(rawValue: value) { scope = s }
        case .onlineMinDepth: if let n = Int(value), (2...4).contains(n) { onlineMinDepth = n }
        case .staffFigures: staffFiguresTravel = value == "county"
        case .scoreWeights: if case .success(let w) = ScoreWeights.parse(value) { scoreWeights = w }
        case .honorWindows: if let n = Int(value), (1...20).contains(n) { honorWindows = n }
        case nil: break
        }
    }

    /// A catalogue with the given items, calendar and sequence; rounding, scope and `onlineMinDepth` at their defaults.
    public init(items: [String: CatalogItem] = [:], calendar: WorkCalendar = WorkCalendar(), sequence: Int = 0,
                rectifyDays: Int = Catalog.defaultRectifyDays, clockSkewMinutes: Int = Catalog.defaultClockSkewMinutes) {
        self.items = items
        self.calendar = calendar
        self.sequence = sequence
        self.rectifyDays = rectifyDays
        self.clockSkewMinutes = clockSkewMinutes
    }

    /// The catalogue item a case at `level` names, or why it cannot be used there. Whether a
    /// withdrawn item is refused depends on whether the case is new, which only the store knows.
    /// `memo` remembers the closest codes of unknown ones across the rows of one import.
    public func itemForIntake(_ code: String, at level: Level, memo: Suggestions.Memo? = nil) -> Result<CatalogItem, IntakeProblem> {
        guard let item = items[code] else {
            if items.isEmpty { return .failure(.emptyCatalog) }
            let closest = memo?.closest(to: code, in: items.keys) ?? Suggestions.closest(to: code, in: items.keys)
            return .failure(.unknownItem(code: code, closest: closest))
        }
        guard item.handled(at: level) else { return .failure(.notHandled(item: item, level: level)) }
        return .success(item)
    }
}

/// Why a case cannot be taken in for an item: no catalogue yet, no such item, not handled at the level,
/// or withdrawn.
public enum IntakeProblem: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyCatalog
    case unknownItem(code: String, closest: [String])
    case notHandled(item: CatalogItem, level: Level)
    case withdrawn(item: CatalogItem, sequence: Int)

    /// The problem in words for the clerk, with the closest codes for an unknown item.
    public var description: String {
        switch self {
        case .emptyCatalog:
            "this node holds no catalogue yet: import one at the root (`sanji catalog import items.csv`)"
        case .unknownItem(let code, let closest):
            closest.isEmpty ? "no item \(code) in the catalogue" : "no item \(code) in the catalogue; closest: \(closest.joined(separator: ", "))"
        case .notHandled(let item, let level):
            "item \(item.code) (\(item.name)) is not handled at \(level.rawValue) level (行使层级: \(item.levelsText))"
        case .withdrawn(let item, let sequence):
            "item \(item.code) (\(item.name)) is withdrawn from the catalogue (sequence \(sequence)); no new cases can be accepted for it"
        }
    }
}

/// What to do when a record arrives for a key the store already holds.
public enum MergeDecision<Record: Hashable & Sendable>: Hashable, Sendable {
    case unchanged
    case update(Record)
    /// The identity fields disagree: a different case under the same number, never overwritten silently.
    case conflict(field: String, message: String)
}

extension CaseRecord {
    /// Merges a later (or earlier) export of the same case. Identity fields (item, acceptance
    /// time, channel) must agree. A completion is taken from whichever side has one, the
    /// incoming side winning a correction; an older export that still shows the case open never
    /// reopens it. The deadline fixed at acceptance is kept.
    public static func merge(existing: CaseRecord, incoming: CaseRecord, zone: ZoneRule) -> MergeDecision<CaseRecord> {
        if existing.itemCode != incoming.itemCode {
            return .conflict(field: "item_code", message: "case \(existing.caseNo) is already recorded for item \(existing.itemCode), not \(incoming.itemCode)")
        }
        if existing.acceptedAt != incoming.acceptedAt {
            return .conflict(field: "accepted_at", message: "case \(existing.caseNo) is already recorded as accepted at \(zone.format(existing.acceptedAt)), not \(zone.format(incoming.acceptedAt))")
        }
        if existing.channel != incoming.channel {
            return .conflict(field: "channel", message: "case \(existing.caseNo) is already recorded with channel \(existing.channel.rawValue), not \(incoming.channel.rawValue)")
        }
        var merged = existing
        // Modes add up (邮寄 is often known only at completion); a window or 工号 given corrects the held one.
        merged.modes = ServiceModes(rawValue: existing.modes.rawValue | incoming.modes.rawValue)
        merged.assisted = incoming.assisted || merged.modes.contains(ServiceMode.help) || merged.modes.contains(ServiceMode.proxy)
        if !incoming.window.isEmpty { merged.window = incoming.window }
        if !incoming.staff.isEmpty { merged.staff = incoming.staff }
        if incoming.applicantName != nil { merged.applicantName = incoming.applicantName }
        if incoming.applicantId != nil { merged.applicantId = incoming.applicantId }
        if incoming.completedAt != nil {
            merged.completedAt = incoming.completedAt
            merged.outcome = incoming.outcome
            merged.visits = incoming.visits
        }
        return merged == existing ? .unchanged : .update(merged)
    }
}

extension EvaluationRecord {
    /// Merges another export of the same evaluation: grade, channel, time and case must agree;
    /// 整改 and 回访 are taken from whichever side has them (the incoming side wins a correction).
    public static func merge(existing: EvaluationRecord, incoming: EvaluationRecord, zone: ZoneRule) -> MergeDecision<EvaluationRecord> {
        if existing.grade != incoming.grade {
            return .conflict(field: "grade", message: "evaluation \(existing.evalId) is already recorded as \(existing.grade.rawValue), not \(incoming.grade.rawValue)")
        }
        if existing.caseNo != incoming.caseNo {
            return .conflict(field: "case_no", message: "evaluation \(existing.evalId) is already recorded for case \(existing.caseNo ?? "(none)"), not \(incoming.caseNo ?? "(none)")")
        }
        if existing.evaluatedAt != incoming.evaluatedAt {
            return .conflict(field: "evaluated_at", message: "evaluation \(existing.evalId) is already recorded at \(zone.format(existing.evaluatedAt)), not \(zone.format(incoming.evaluatedAt))")
        }
        if existing.channel != incoming.channel {
            return .conflict(field: "channel", message: "evaluation \(existing.evalId) is already recorded with channel \(existing.channel.rawValue), not \(incoming.channel.rawValue)")
        }
        var merged = existing
        if !incoming.window.isEmpty { merged.window = incoming.window }
        if !incoming.staff.isEmpty { merged.staff = incoming.staff }
        // A later export may mark an evaluation 实名; one without the column never unmarks it.
        merged.named = existing.named || incoming.named
        if incoming.rectifiedAt != nil { merged.rectifiedAt = incoming.rectifiedAt }
        if incoming.revisitedAt != nil {
            merged.revisitedAt = incoming.revisitedAt
            merged.revisitGrade = incoming.revisitGrade
        }
        return merged == existing ? .unchanged : .update(merged)
    }
}
