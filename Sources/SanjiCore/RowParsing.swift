/// Turns the text fields of one row (a CSV line, or the flags of a CLI command) into a
/// record, or into every problem found with it. Both imports and single commands go through
/// here, so a clerk sees the same rule worded the same way wherever they meet it.
public struct RowParser: Sendable {
    /// A problem with one field: the column it is in, and what is wrong in words for the clerk.
    public typealias Problem = (field: String, message: String)

    /// The catalogue that items are checked against and deadlines counted on.
    public let catalog: Catalog
    /// This node's level: a case's item must be handled there.
    public let level: Level
    /// How local times are read and days cut.
    public let zone: ZoneRule
    /// The current time: a time later than it (beyond `futureSkew`) is refused.
    public let now: Timestamp
    /// How far in the future a time may be before it is refused (a station's clock may be a little off).
    public let futureSkew: Int64
    /// Which way numeric grades run (`--grade-codes`); nil refuses numbers.
    public let gradeCodes: Grade.Codes?
    /// Read plain numbers in time columns as Excel date serials (`--excel-dates`).
    public let excelDates: Bool
    /// The station's windows in service (`sanji window add`): a record may name only one of these.
    public let windows: Set<String>
    /// The closest codes of unknown items, remembered across the rows this parser reads.
    public let memo = Suggestions.Memo()

    /// A parser for one node at one moment; `futureSkewSeconds` is the clock skew allowed (600 s by default).
    public init(catalog: Catalog, level: Level, zone: ZoneRule, now: Timestamp, futureSkewSeconds: Int64 = 600, gradeCodes: Grade.Codes? = nil,
                excelDates: Bool = false, windows: Set<String> = []) {
        self.windows = windows
        self.catalog = catalog
        self.level = level
        self.zone = zone
        self.now = now
        futureSkew = futureSkewSeconds
        self.gradeCodes = gradeCodes
        self.excelDates = excelDates
    }

    /// An identifier in its canonical form (`Identifier`), or a problem with `field`.
    public func identifier(_ text: String, field: String, problems: inout [Problem]) -> String {
        switch Identifier.canonical(text) {
        case .success(let id): return id
        case .failure(let why):
            problems.append((field, why.reason))
            return ""
        }
    }

    /// Reads a case. `value` returns the trimmed text of a column ("" when absent).
    /// Withdrawn items are not refused here: only a *new* case for one is (the caller knows).
    public func parseCase(_ value: (String) -> String, problems: inout [Problem]) -> (CaseRecord, CatalogItem)? {
        let start = problems.count
        let caseNo = identifier(value("case_no"), field: "case_no", problems: &problems)
        if caseNo.isEmpty, problems.count == start {
            problems.append(("case_no", "is empty; every case needs its 办件编号"))
        } else if caseNo.count > CaseRecord.maxCaseNoLength {
            problems.append(("case_no", "is longer than \(CaseRecord.maxCaseNoLength) characters"))
        }
        var item: CatalogItem?
        let before = problems.count
        let code = identifier(value("item_code"), field: "item_code", problems: &problems)
        if code.isEmpty, problems.count == before {
            problems.append(("item_code", "is empty; name the item's 事项编码"))
        } else if !code.isEmpty {
            switch catalog.itemForIntake(code, at: level, memo: memo) {
            case .success(let i): item = i
            case .failure(let p): problems.append(("item_code", p.description))
            }
        }
        let acceptedAt = time(value("accepted_at"), field: "accepted_at", required: true, problems: &problems)
        let channelText = value("channel")
        let channel = CaseChannel(text: channelText)
        if channel == nil {
            problems.append(("channel", channelText.isEmpty
                ? "is empty; one of \(CaseChannel.allCases.map(\.rawValue).joined(separator: "|")) (or 窗口/网上/掌上/自助/代办/上门)"
                : "\"\(channelText)\" is not a channel; one of \(CaseChannel.allCases.map(\.rawValue).joined(separator: "|")) (or 窗口/网上/掌上/自助/代办/上门)"))
        }
        let assisted = flag(value("assisted"), field: "assisted", problems: &problems)
        let completedAt = time(value("completed_at"), field: "completed_at", required: false, problems: &problems)
        if let completedAt, let acceptedAt, completedAt < acceptedAt {
            problems.append(("completed_at", "\(zone.format(completedAt)) is before the case was accepted (\(zone.format(acceptedAt)))"))
        }
        let outcomeText = value("outcome")
        var outcome: Outcome?
        if !outcomeText.isEmpty {
            outcome = Outcome(text: outcomeText)
            if outcome == nil { problems.append(("outcome", "\"\(outcomeText)\" is not an outcome; one of approved|rejected|withdrawn (or 准予/不予/撤回)")) }
        }
        let visitsText = value("visits")
        var visits: Int?
        if !visitsText.isEmpty {
            visits = Int(visitsText)
            if visits == nil || visits! < 0 || visits! > 99 { problems.append(("visits", "\"\(visitsText)\" is not a number of visits (0 to 99)")) }
        }
        if completedAt == nil, value("completed_at").isEmpty {
            if !outcomeText.isEmpty { problems.append(("outcome", "is given but completed_at is empty; an open case has no outcome yet")) }
            if !visitsText.isEmpty { problems.append(("visits", "is given but completed_at is empty; visits are counted at completion")) }
        } else if completedAt != nil {
            if outcomeText.isEmpty { problems.append(("outcome", "is required for a completed case: approved|rejected|withdrawn")) }
            if visitsText.isEmpty { problems.append(("visits", "is required for a completed case (跑动次数; write 0 for none)")) }
        }
        let name = value("applicant_name")
        let id = value("applicant_id")
        let (window, staff) = (self.window(value("window"), problems: &problems), self.staff(value("staff"), problems: &problems))
        let modes = self.modes(value, problems: &problems)
        guard problems.count == start, let item, let acceptedAt, let channel else { return nil }
        let deadline = catalog.calendar.deadline(acceptedOn: zone.day(of: acceptedAt), workingDays: item.promisedDays)
        let record = CaseRecord(
            caseNo: caseNo, itemCode: item.code, acceptedAt: acceptedAt, channel: channel, assisted: assisted ?? false,
            deadline: deadline, completedAt: completedAt, outcome: outcome, visits: visits,
            applicantName: name.isEmpty ? nil : name, applicantId: id.isEmpty ? nil : id, modes: modes, window: window, staff: staff)
        return (record, item)
    }

    /// Reads an evaluation. `caseLookup` finds a recorded case by number.
    /// `existingRectified`: whether an evaluation already recorded under this id was rectified
    /// (a later export may bring the 回访 of an earlier export's 整改).
    public func parseEvaluation(
        _ value: (String) -> String, caseLookup: (String) throws -> CaseRecord?, existingRectified: ((String) -> Bool)? = nil,
        problems: inout [Problem]
    ) rethrows -> EvaluationRecord? {
        let start = problems.count
        let evalId = identifier(value("eval_id"), field: "eval_id", problems: &problems)
        if evalId.isEmpty, problems.count == start {
            problems.append(("eval_id", "is empty; every evaluation needs its id"))
        } else if evalId.count > 64 {
            problems.append(("eval_id", "is longer than 64 characters"))
        }
        let caseNo = identifier(value("case_no"), field: "case_no", problems: &problems)
        var theCase: CaseRecord?
        if !caseNo.isEmpty {
            theCase = try caseLookup(caseNo)
            if theCase == nil { problems.append(("case_no", "no case \(caseNo) is recorded at this station; import or accept the case first")) }
        }
        let grade = self.grade(value("grade"), field: "grade", required: true, problems: &problems)
        let channelText = value("channel")
        let channel = EvalChannel(text: channelText)
        if channel == nil {
            problems.append(("channel", "\"\(channelText)\" is not an evaluation channel; one of \(EvalChannel.allCases.map(\.rawValue).joined(separator: "|"))"))
        }
        let evaluatedAt = time(value("evaluated_at"), field: "evaluated_at", required: true, problems: &problems)
        if let evaluatedAt, let theCase, evaluatedAt < theCase.acceptedAt {
            problems.append(("evaluated_at", "\(zone.format(evaluatedAt)) is before case \(theCase.caseNo) was accepted (\(zone.format(theCase.acceptedAt)))"))
        }
        let rectifiedAt = time(value("rectified_at"), field: "rectified_at", required: false, problems: &problems)
        let revisitedAt = time(value("revisited_at"), field: "revisited_at", required: false, problems: &problems)
        let revisitGrade = self.grade(value("revisit_grade"), field: "revisit_grade", required: false, problems: &problems)
        if let grade, !grade.isBad {
            if rectifiedAt != nil { problems.append(("rectified_at", "only a 差评 (不满意/非常不满意) is rectified; this one is \(grade.rawValue)")) }
            if revisitedAt != nil { problems.append(("revisited_at", "only a 差评 (不满意/非常不满意) is revisited; this one is \(grade.rawValue)")) }
        }
        for (field, t) in [("rectified_at", rectifiedAt), ("revisited_at", revisitedAt)] {
            if let t, let evaluatedAt, t < evaluatedAt {
                problems.append((field, "\(zone.format(t)) is before the evaluation (\(zone.format(evaluatedAt)))"))
            }
        }
        if revisitGrade != nil, revisitedAt == nil, value("revisited_at").isEmpty {
            problems.append(("revisit_grade", "is given but revisited_at is empty"))
        }
        // 回访 follows 整改: the applicant is asked whether the rectification satisfied them.
        if let revisitedAt {
            if let rectifiedAt, revisitedAt < rectifiedAt {
                problems.append(("revisited_at", "\(zone.format(revisitedAt)) is before the 整改 (\(zone.format(rectifiedAt))); 回访 follows 整改"))
            } else if rectifiedAt == nil, value("rectified_at").isEmpty, !(existingRectified?(evalId) ?? false) {
                problems.append(("revisited_at", "is given but the 差评 has no 整改 (rectified_at is empty); 回访 follows 整改"))
            }
        }
        let named = flag(value("named"), field: "named", problems: &problems)
        // An evaluation of a case evaluates its window and staff member unless it names others.
        let window = self.window(value("window"), problems: &problems), staff = self.staff(value("staff"), problems: &problems)
        guard problems.count == start, let grade, let channel, let evaluatedAt else { return nil }
        return EvaluationRecord(
            evalId: evalId, caseNo: theCase?.caseNo, itemCode: theCase?.itemCode ?? "", grade: grade, channel: channel,
            evaluatedAt: evaluatedAt, rectifiedAt: rectifiedAt, revisitedAt: revisitedAt, revisitGrade: revisitGrade, named: named ?? false,
            window: window.isEmpty ? theCase?.window ?? "" : window, staff: staff.isEmpty ? theCase?.staff ?? "" : staff)
    }

    /// Reads a consultation (咨询): its id (or `makeId()` when the column is empty), time, item, window and staff member.
    public func parseConsultation(_ value: (String) -> String, makeId: () -> String, problems: inout [Problem]) -> ConsultRecord? {
        let start = problems.count
        var consultId = identifier(value("consult_id"), field: "consult_id", problems: &problems)
        if consultId.isEmpty, problems.count == start { consultId = makeId() }
        if consultId.count > 64 { problems.append(("consult_id", "is longer than 64 characters")) }
        let at = time(value("at"), field: "at", required: true, problems: &problems)
        let before = problems.count
        let code = identifier(value("item_code"), field: "item_code", problems: &problems)
        if !code.isEmpty, problems.count == before, catalog.items[code] == nil {
            let closest = memo.closest(to: code, in: catalog.items.keys)
            problems.append(("item_code", "no item \(code) in the catalogue" + (closest.isEmpty ? "" : "; did you mean \(closest.joined(separator: ", "))?")))
        }
        let window = self.window(value("window"), problems: &problems), staff = self.staff(value("staff"), problems: &problems)
        guard problems.count == start, let at else { return nil }
        return ConsultRecord(consultId: consultId, at: at, itemCode: code, window: window, staff: staff)
    }

    /// A window column: empty, or one of the station's windows in service.
    public func window(_ text: String, problems: inout [Problem]) -> String {
        let before = problems.count
        let w = identifier(text, field: "window", problems: &problems)
        guard !w.isEmpty, problems.count == before else { return w }
        if w.count > 32 { problems.append(("window", "is longer than 32 characters")) }
        else if !windows.contains(w) {
            problems.append(("window", windows.isEmpty
                ? "\"\(w)\" is not a window of this station: it has none yet; add it with: sanji window add \(w)"
                : "\"\(w)\" is not a window of this station in service (\(windows.sorted().joined(separator: ", "))); add it with: sanji window add \(w)"))
        }
        return w
    }

    /// A staff column: empty, or a 工号 (letters and digits as the station writes them, at most 32).
    public func staff(_ text: String, problems: inout [Problem]) -> String {
        let before = problems.count
        let s = identifier(text, field: "staff", problems: &problems)
        if problems.count == before, s.count > 32 { problems.append(("staff", "is longer than 32 characters; give the 工号, not a name")) }
        return s
    }

    /// The service modes: a `modes` list and one yes/no column per mode (`help`, `proxy` …), together.
    public func modes(_ value: (String) -> String, problems: inout [Problem]) -> ServiceModes {
        var unknown: [String] = []
        var modes = ServiceModes.parse(value("modes"), unknown: &unknown)
        if !unknown.isEmpty {
            problems.append(("modes", "\(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) not a service mode; one of \(ServiceMode.spellings)"))
        }
        for m in ServiceMode.allCases where flag(value(m.name), field: m.name, problems: &problems) == true { modes.insert(m) }
        return modes
    }

    /// Reads a time column, or adds its problem: empty when required, no such day, out of range, an Excel
    /// serial without `excelDates`, or in the future. nil when empty or refused.
    public func time(_ text: String, field: String, required: Bool, problems: inout [Problem]) -> Timestamp? {
        if text.isEmpty {
            if required { problems.append((field, "is empty; give an ISO 8601 time such as 2026-11-03T09:30:00+08:00 or 2026-11-03 09:30")) }
            return nil
        }
        let parsed: Timestamp
        switch zone.parseResult(text) {
        case .success(let t): parsed = t
        case .failure(.noSuchDay(let y, let m, let d)):
            problems.append((field, "\"\(text)\": there is no \(Day.pad(y, 4))-\(Day.pad(m, 2))-\(Day.pad(d, 2)) (\(y)-\(Day.pad(m, 2)) has \(Day.daysIn(year: y, month: m)) days)"))
            return nil
        case .failure(.clock):
            problems.append((field, "\"\(text)\": the time of day is out of range (00:00 to 23:59)"))
            return nil
        case .failure(.format):
            if let serial = zone.excelSerial(text) {
                if excelDates {
                    parsed = serial
                    break
                }
                problems.append((field, "\"\(text)\" looks like an Excel date serial (\(zone.format(serial))); pass --excel-dates to read such numbers as dates"))
                return nil
            }
            problems.append((field, "\"\(text)\" is not a time (e.g. 2026-11-03 09:30, 2026/11/3 9:30 or 2026-11-03T09:30:00+08:00)"))
            return nil
        }
        let t = parsed
        if t.seconds > now.seconds + futureSkew {
            problems.append((field, "\(zone.format(t)) is in the future (now \(zone.format(now)), \(futureSkew / 60) minutes of clock skew allowed); check the station's clock or the export"))
            return nil
        }
        return t
    }

    /// Reads a grade column (a label, or a number with `gradeCodes`), or adds its problem; nil when empty or refused.
    public func grade(_ text: String, field: String, required: Bool, problems: inout [Problem]) -> Grade? {
        if text.isEmpty {
            if required { problems.append((field, "is empty; one of 非常满意|满意|基本满意|不满意|非常不满意")) }
            return nil
        }
        switch Grade.parse(text, codes: gradeCodes) {
        case .success(let g): return g
        case .failure(.numericWithoutCodes):
            problems.append((field, "\"\(text)\" is a numeric grade; say which way the file's numbers run with --grade-codes (sanji import evals): \(Grade.Codes.help)"))
        case .failure(.unknown):
            problems.append((field, "\"\(text)\" is not a grade; one of 非常满意|满意|基本满意|不满意|非常不满意"))
        }
        return nil
    }

    func flag(_ text: String, field: String, problems: inout [Problem]) -> Bool? {
        switch text {
        case "": return nil
        case "1": return true
        case "0": return false
        default: break
        }
        switch text.lowercased() {
        case "": return nil
        case "1", "true", "yes", "y", "是", "√", "t": return true
        case "0", "false", "no", "n", "否", "f": return false
        default:
            problems.append((field, "\"\(text)\" is not yes/no (1|0, true|false, 是|否)"))
            return nil
        }
    }
}
