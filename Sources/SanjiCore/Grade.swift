/// A 好差评 grade, kept by label: numeric codes run in opposite directions in different
/// systems (1 = 非常满意 in some exports, 5 = 非常满意 in others), so an import names the
/// direction its file uses, never a standard's name.
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

    /// The English name, which imports also accept: very satisfied … very dissatisfied.
    public var englishLabel: String {
        switch self {
        case .verySatisfied: "very satisfied"
        case .satisfied: "satisfied"
        case .fair: "fair"
        case .dissatisfied: "dissatisfied"
        case .veryDissatisfied: "very dissatisfied"
        }
    }

    /// How a file writes grades as numbers, when it does: by direction.
    public enum Codes: String, CaseIterable, Sendable {
        /// 1 = 非常满意 … 5 = 非常不满意.
        case oneIsBest = "one-is-best"
        /// 5 = 非常满意 … 1 = 非常不满意.
        case fiveIsBest = "five-is-best"

        /// What `--grade-codes` says of each, for help texts and errors.
        public static let help = "one-is-best (1 = 非常满意 … 5 = 非常不满意) or five-is-best (5 = 非常满意 … 1 = 非常不满意)"

        /// Reads a `--grade-codes` value, or says why not: the name of a standard is refused,
        /// because which direction it uses could not be confirmed.
        public static func parse(_ text: String) -> Result<Codes, SanjiError> {
            if let c = Codes(rawValue: text.lowercased()) { return .success(c) }
            if text.lowercased().replacingOccurrences(of: "/", with: "").hasPrefix("gbt") {
                return .failure(SanjiError(.invalidArgument, "--grade-codes \(text) names a standard, not a direction; say which number is 非常满意: \(help)",
                                           hint: "look at a row you know: if 1 is 非常满意, use one-is-best"))
            }
            return .failure(SanjiError(.invalidArgument, "--grade-codes \(text) is not known; use \(help)"))
        }
    }

    /// Why a text is not a grade: unknown, or a number while the file named no `--grade-codes`.
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
            let i = codes == .oneIsBest ? n - 1 : 5 - n
            return .success(Grade.allCases[i])
        }
        return .failure(.unknown)
    }
}
