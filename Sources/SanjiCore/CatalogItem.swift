/// One entry of the 政务服务事项目录, owned by the root and read-only below it.
public struct CatalogItem: Hashable, Sendable {
    /// 事项编码: an opaque string of up to 50 characters; never parsed.
    public var code: String
    /// 事项名称.
    public var name: String
    /// 事项类型 (GB/T 39046-2020 table A.1).
    public var type: ItemType
    /// 实施部门: the department that handles it.
    public var department: String
    /// 行使层级: the levels that handle it.
    public var levels: Set<Level>
    /// 法定时限 in working days; nil when the law sets none.
    public var legalDays: Int?
    /// 承诺时限 in working days; 0 = 即办件.
    public var promisedDays: Int
    /// 网办深度 1 (Ⅰ 咨询) … 4 (Ⅳ 全程网办).
    public var onlineDepth: Int
    /// 到现场次数.
    public var maxVisits: Int
    /// Withdrawn from the catalogue: kept (items are never deleted), but no new case is accepted for it.
    public var withdrawn: Bool

    /// An item with every field given; active unless `withdrawn`.
    public init(
        code: String, name: String, type: ItemType, department: String, levels: Set<Level>,
        legalDays: Int?, promisedDays: Int, onlineDepth: Int, maxVisits: Int, withdrawn: Bool = false
    ) {
        self.code = code
        self.name = name
        self.type = type
        self.department = department
        self.levels = levels
        self.legalDays = legalDays
        self.promisedDays = promisedDays
        self.onlineDepth = onlineDepth
        self.maxVisits = maxVisits
        self.withdrawn = withdrawn
    }

    /// The longest 事项编码 accepted, in characters.
    public static let maxCodeLength = 50

    /// Not withdrawn: counted by the catalogue figures and open to new cases.
    public var isActive: Bool { !withdrawn }

    /// Whether `level` is among its 行使层级.
    public func handled(at level: Level) -> Bool { levels.contains(level) }

    /// `county|township|village`, top to bottom: the items.csv spelling.
    public var levelsText: String { levels.sorted().map(\.rawValue).joined(separator: "|") }

    /// Reads a time limit in working days: `20`, `20d`, or months/years (`3m`, `3个月`, `1y`, `1年`)
    /// converted at 22 and 250 working days (docs/figures.md).
    public static func parseWorkingDays(_ text: String) -> Int? {
        var t = text.trimmingSpaces.lowercased()
        for suffix in ["个工作日", "工作日", "天", "日", "d"] where t.hasSuffix(suffix) {
            t = String(t.dropLast(suffix.count))
            return Int(t).flatMap { $0 >= 0 ? $0 : nil }
        }
        for (suffix, factor) in [("个月", 22), ("月", 22), ("m", 22), ("年", 250), ("y", 250)] where t.hasSuffix(suffix) {
            let n = String(t.dropLast(suffix.count)).trimmingSpaces
            return Int(n).flatMap { $0 >= 0 ? $0 * factor : nil }
        }
        return Int(t).flatMap { $0 >= 0 ? $0 : nil }
    }
}
