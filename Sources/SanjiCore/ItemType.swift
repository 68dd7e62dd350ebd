/// 事项类型, GB/T 39046-2020 table A.1. Stored by its two-digit code.
public enum ItemType: String, CaseIterable, Sendable, Codable {
    case license = "01"           // 行政许可
    case penalty = "02"           // 行政处罚
    case enforcement = "03"       // 行政强制
    case levy = "04"              // 行政征收
    case benefit = "05"           // 行政给付
    case inspection = "06"        // 行政检查
    case confirmation = "07"      // 行政确认
    case reward = "08"            // 行政奖励
    case ruling = "09"            // 行政裁决
    case otherPower = "10"        // 其他行政权力
    case publicService = "20"     // 公共服务

    /// The Chinese name of the 事项类型 (行政许可 … 公共服务).
    public var label: String {
        switch self {
        case .license: "行政许可"
        case .penalty: "行政处罚"
        case .enforcement: "行政强制"
        case .levy: "行政征收"
        case .benefit: "行政给付"
        case .inspection: "行政检查"
        case .confirmation: "行政确认"
        case .reward: "行政奖励"
        case .ruling: "行政裁决"
        case .otherPower: "其他行政权力"
        case .publicService: "公共服务"
        }
    }

    /// 依申请 items (许可, 给付, 确认, 奖励, 裁决, 其他行政权力) and 公共服务: what an applicant can
    /// ask for. 依职权 items (处罚, 强制, 征收, 检查) are not offered to applicants.
    public var isOfferedToApplicants: Bool {
        switch self {
        case .penalty, .enforcement, .levy, .inspection: false
        default: true
        }
    }

    /// Accepts the code (`1` or `01`) or the label.
    public init?(text: String) {
        let t = text.trimmingSpaces
        if let n = Int(t), let v = ItemType(rawValue: n < 10 ? "0\(n)" : String(n)) {
            self = v
            return
        }
        guard let v = ItemType.allCases.first(where: { $0.label == t }) else { return nil }
        self = v
    }
}
