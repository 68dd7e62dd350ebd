/// Reads rows of items.csv and calendar.csv.
public enum CatalogParsing {
    /// The columns of items.csv, all required, in the order `csvRow` writes them.
    public static let itemColumns = ["code", "name", "type", "department", "levels", "legal_days", "promised_days", "online_depth", "max_visits", "status"]
    /// The columns of calendar.csv, both required.
    public static let calendarColumns = ["date", "kind"]

    /// Reads one items.csv row (`value` gives a column's trimmed text), adding every problem found to
    /// `problems`; nil if there was any.
    public static func parseItem(_ value: (String) -> String, problems: inout [RowParser.Problem]) -> CatalogItem? {
        let start = problems.count
        var code = ""
        switch Identifier.canonical(value("code")) {
        case .success(let c):
            code = c
            if code.isEmpty { problems.append(("code", "is empty; every item needs its 事项编码")) }
        case .failure(let why): problems.append(("code", why.reason))
        }
        if code.count > CatalogItem.maxCodeLength { problems.append(("code", "is longer than \(CatalogItem.maxCodeLength) characters")) }
        let name = value("name")
        if name.isEmpty { problems.append(("name", "is empty; every item needs its 事项名称")) }
        let typeText = value("type")
        let type = ItemType(text: typeText)
        if type == nil {
            problems.append(("type", "\"\(typeText)\" is not a GB/T 39046 事项类型; a code 01…10 or 20, or a label such as 行政许可, 行政确认, 公共服务"))
        }
        let department = value("department")
        if department.isEmpty { problems.append(("department", "is empty; name the 实施部门")) }
        var levels = Set<Level>()
        let levelsText = value("levels")
        for part in levelsText.split(whereSeparator: { $0 == "|" || $0 == "、" || $0 == "/" || $0 == ";" }) {
            if let l = Level(text: String(part)) { levels.insert(l) } else {
                problems.append(("levels", "\"\(part)\" is not a level; use county|township|village (or 县/乡/村)"))
            }
        }
        if levelsText.isEmpty { problems.append(("levels", "is empty; list the levels that handle the item, e.g. county|township|village")) }
        let legalText = value("legal_days")
        var legal: Int?
        if !legalText.isEmpty {
            legal = CatalogItem.parseWorkingDays(legalText)
            if legal == nil { problems.append(("legal_days", "\"\(legalText)\" is not a time limit; working days (20), months (3m) or years (1y), or empty for none")) }
        }
        let promisedText = value("promised_days")
        let promised = CatalogItem.parseWorkingDays(promisedText)
        if promised == nil {
            problems.append(("promised_days", promisedText.isEmpty ? "is empty; 承诺时限 in working days (0 = 即办件)" : "\"\(promisedText)\" is not a number of working days"))
        }
        if let legal, let promised, promised > legal {
            problems.append(("promised_days", "\(promised) is longer than the legal limit (\(legal) working days)"))
        }
        let depthText = value("online_depth")
        let depth = parseDepth(depthText)
        if depth == nil { problems.append(("online_depth", "\"\(depthText)\" is not a 网办深度; 1 to 4 (Ⅰ 咨询, Ⅱ 收件/预审, Ⅲ 受理, Ⅳ 全程网办)")) }
        let visitsText = value("max_visits")
        let visits = Int(visitsText)
        if visits == nil || visits! < 0 || visits! > 9 { problems.append(("max_visits", "\"\(visitsText)\" is not a 到现场次数 (0, 1, 2 …)")) }
        let statusText = value("status")
        var withdrawn = false
        switch statusText.lowercased() {
        case "", "active", "在用", "有效", "正常", "启用": withdrawn = false
        case "withdrawn", "取消", "停用", "撤销", "废止", "inactive": withdrawn = true
        default: problems.append(("status", "\"\(statusText)\" is not a status; active or withdrawn"))
        }
        guard problems.count == start, let type, let promised, let depth, let visits else { return nil }
        return CatalogItem(code: code, name: name, type: type, department: department, levels: levels,
                           legalDays: legal, promisedDays: promised, onlineDepth: depth, maxVisits: visits, withdrawn: withdrawn)
    }

    static func parseDepth(_ text: String) -> Int? {
        switch text.uppercased() {
        case "1", "Ⅰ", "I": 1
        case "2", "Ⅱ", "II": 2
        case "3", "Ⅲ", "III": 3
        case "4", "Ⅳ", "IV": 4
        default: nil
        }
    }

    /// Reads one calendar.csv row: a date and whether it is a holiday or a 调休 workday; nil on any problem.
    public static func parseCalendarDay(_ value: (String) -> String, problems: inout [RowParser.Problem]) -> (Day, WorkCalendar.Kind)? {
        let dateText = value("date")
        let day = Day(dateText)
        if day == nil { problems.append(("date", "\"\(dateText)\" is not a date; use YYYY-MM-DD")) }
        let kindText = value("kind")
        let kind = WorkCalendar.Kind(text: kindText)
        if kind == nil { problems.append(("kind", "\"\(kindText)\" is not a kind; holiday (a day off) or workday (a 调休 working weekend day)")) }
        guard let day, let kind else { return nil }
        return (day, kind)
    }

    /// items.csv text for a list of items: what `catalog list --format csv` prints and `catalog import` reads.
    public static func csvRow(_ item: CatalogItem) -> [String] {
        [item.code, item.name, item.type.rawValue, item.department, item.levelsText, item.legalDays.map(String.init) ?? "",
         String(item.promisedDays), String(item.onlineDepth), String(item.maxVisits), item.withdrawn ? "withdrawn" : "active"]
    }
}
