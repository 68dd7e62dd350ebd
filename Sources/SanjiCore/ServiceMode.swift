/// A way a case was served beyond the plain window visit (帮办代办, 上门, 预约, 延时, 政务专递):
/// the service modes a 通报 reports one by one (docs/figures.md, "Service modes").
public enum ServiceMode: Int, CaseIterable, Sendable {
    /// 帮办: staff helped the applicant through the application.
    case help = 0
    /// 代办: staff (or a 代办员) applied on the applicant's behalf.
    case proxy = 1
    /// 上门: served at the applicant's home or workplace (上门服务及协调督办).
    case home = 2
    /// 预约: served by appointment (预约办, 预约服务).
    case appointment = 3
    /// 延时: served outside office hours (延时服务, 错时服务).
    case extended = 4
    /// 邮寄: results mailed free of charge (政务专递, 免费邮寄证照).
    case mail = 5

    /// The English name used in CSV columns and `--mode`: help, proxy, home, appointment, extended, mail.
    public var name: String {
        switch self {
        case .help: "help"
        case .proxy: "proxy"
        case .home: "home"
        case .appointment: "appointment"
        case .extended: "extended"
        case .mail: "mail"
        }
    }

    /// The Chinese name a 通报 prints: 帮办, 代办, 上门, 预约, 延时, 邮寄.
    public var label: String {
        switch self {
        case .help: "帮办"
        case .proxy: "代办"
        case .home: "上门"
        case .appointment: "预约"
        case .extended: "延时"
        case .mail: "邮寄"
        }
    }

    /// The English or Chinese name, or a synonym exports use (帮办服务, 政务专递, 错时 …); nil otherwise.
    public init?(text: String) {
        let t = text.trimmingSpaces
        if let m = ServiceMode.allCases.first(where: { $0.name == t.lowercased() || $0.label == t }) {
            self = m
            return
        }
        switch t {
        case "帮办服务": self = .help
        case "代办服务", "代办员": self = .proxy
        case "上门服务", "上门办", "协调督办": self = .home
        case "预约办", "预约服务": self = .appointment
        case "延时服务", "延时办", "错时", "错时服务": self = .extended
        case "政务专递", "免费邮寄", "邮寄服务", "寄递": self = .mail
        default: return nil
        }
    }

    /// Every accepted spelling, for error messages.
    public static let spellings = "help|proxy|home|appointment|extended|mail (or 帮办/代办/上门/预约/延时/邮寄)"
}

/// The service modes of one case: a set stored as one integer (bit `1 << mode.rawValue`).
public struct ServiceModes: OptionSet, Hashable, Sendable {
    /// The bits.
    public let rawValue: Int

    /// Modes from their bits.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The set holding `modes`.
    public init(_ modes: [ServiceMode]) { rawValue = modes.reduce(0) { $0 | (1 << $1.rawValue) } }

    /// Whether `mode` is in the set.
    public func contains(_ mode: ServiceMode) -> Bool { rawValue & (1 << mode.rawValue) != 0 }

    /// Adds `mode`.
    public mutating func insert(_ mode: ServiceMode) { self = ServiceModes(rawValue: rawValue | (1 << mode.rawValue)) }

    /// The modes in the set, in `ServiceMode.allCases` order.
    public var modes: [ServiceMode] { ServiceMode.allCases.filter(contains) }

    /// Reads a list such as `帮办,上门` or `help|mail` (separated by , | ; 、 or spaces); the words not understood go to `unknown`.
    public static func parse(_ text: String, unknown: inout [String]) -> ServiceModes {
        var out = ServiceModes()
        for word in text.split(whereSeparator: { ",|;、， ".contains($0) }).map(String.init) where !word.isEmpty {
            if let m = ServiceMode(text: word) { out.insert(m) } else { unknown.append(word) }
        }
        return out
    }

    /// `帮办、上门`, or empty.
    public var label: String { modes.map(\.label).joined(separator: "、") }
}
