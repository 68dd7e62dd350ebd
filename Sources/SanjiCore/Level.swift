/// The five administrative levels, top to bottom. A deployment uses any contiguous run of them.
public enum Level: String, CaseIterable, Sendable, Comparable, Codable {
    case province, city, county, township, village

    /// 0 for province … 4 for village.
    public var depth: Int { Level.allCases.firstIndex(of: self)! }

    /// Higher levels come first: province < city < … < village.
    public static func < (a: Level, b: Level) -> Bool { a.depth < b.depth }

    /// Single-character name used in catalogue files: 省/市/县/乡/村.
    public var shortChinese: String {
        switch self {
        case .province: "省"
        case .city: "市"
        case .county: "县"
        case .township: "乡"
        case .village: "村"
        }
    }

    /// The row label on the 三级 table.
    public var chineseLabel: String {
        switch self {
        case .province: "省级"
        case .city: "市级"
        case .county: "县级"
        case .township: "乡镇"
        case .village: "村（社区）"
        }
    }

    /// The capitalised English name (County, Township, Village …).
    public var englishLabel: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// The levels below this one, itself included (a county sees county, township, village).
    public var andBelow: [Level] { Level.allCases.filter { $0 >= self } }

    /// Accepts the English name (any case) or a Chinese one (县, 县级, 区, 乡镇, 街道, 社区 …); nil otherwise.
    public init?(text: String) {
        let t = text.trimmingSpaces
        if let l = Level(rawValue: t.lowercased()) {
            self = l
            return
        }
        switch t {
        case "省", "省级": self = .province
        case "市", "市级": self = .city
        case "县", "县级", "区", "县区": self = .county
        case "乡", "镇", "乡镇", "街道", "乡级": self = .township
        case "村", "社区", "村社区", "村级": self = .village
        default: return nil
        }
    }
}
