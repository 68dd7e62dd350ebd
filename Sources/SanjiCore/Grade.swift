/// A 好差评 grade, kept by label: numeric codes run in opposite directions in different
/// systems (GB/T 39046: 1 = 非常满意; some provincial interfaces: 5 = 非常满意).
public enum Grade: String, CaseIterable, Sendable, Codable {
    case verySatisfied = "非常满意"
    case satisfied = "满意"
    case fair = "基本满意"
    case dissatisfied = "不满意"
    case veryDissatisfied = "非常不满意"

    /// 差评 = 不满意 + 非常不满意.
    public var isBad: Bool { self == .dissatisfied || self == .veryDissatisfied }

    /// Index 0 (非常满意) … 4 (非常不满意).
    public var index: Int { Grade.allCases.firstIndex(of: self)! }

    public var englishLabel: String {
        switch self {
        case .verySatisfied: "very satisfied"
        case .satisfied: "satisfied"
        case .fair: "fair"
        case .dissatisfied: "dissatisfied"
        case .veryDissatisfied: "very dissatisfied"
        }
    }

    /// How a file writes grades as numbers, when it does.
    public enum Codes: String, CaseIterable, Sendable {
        /// GB/T 39046: 1 = 非常满意 … 5 = 非常不满意.
        case gbt39046
        /// Some provincial interfaces: 5 = 非常满意 … 1 = 非常不满意.
        case fiveIsBest = "five-is-best"
    }

    public enum ParseError: Error, Equatable {
        case unknown
        case numericWithoutCodes
    }

    /// Reads a label (Chinese or English); numbers only when the file said which codes it uses.
    public static func parse(_ text: String, codes: Codes?) -> Result<Grade, ParseError> {
        let t = text.trimmingSpaces
        if let g = Grade(rawValue: t) { return .success(g) }
        if let g = Grade.allCases.first(where: { $0.englishLabel == t.lowercased() }) { return .success(g) }
        if let n = Int(t), (1...5).contains(n) {
            guard let codes else { return .failure(.numericWithoutCodes) }
            let i = codes == .gbt39046 ? n - 1 : 5 - n
            return .success(Grade.allCases[i])
        }
        return .failure(.unknown)
    }
}
