/// How a case was brought in (申请渠道).
public enum CaseChannel: String, CaseIterable, Sendable, Codable {
    case window, online, mobile, kiosk, agent, home

    /// The Chinese name: 窗口, 网上, 掌上, 自助, 代办 or 上门.
    public var label: String {
        switch self {
        case .window: "窗口"
        case .online: "网上"
        case .mobile: "掌上"
        case .kiosk: "自助"
        case .agent: "代办"
        case .home: "上门"
        }
    }

    /// 网办: 网上, 掌上 and 自助 count as online for 网办件占比.
    public var isOnline: Bool { self == .online || self == .mobile || self == .kiosk }

    /// Accepts the English name (any case) or a Chinese name exports use (窗口办理, 网办, 皖事通 …); nil otherwise.
    public init?(text: String) {
        if let v = CaseChannel(rawValue: text) {
            self = v
            return
        }
        let t = text.trimmingSpaces
        if let v = CaseChannel(rawValue: t.lowercased()) {
            self = v
            return
        }
        switch t {
        case "窗口", "窗口办理": self = .window
        case "网上", "网上办理", "网办", "PC", "pc": self = .online
        case "掌上", "掌上办", "移动端", "APP", "app", "皖事通": self = .mobile
        case "自助", "自助终端", "一体机": self = .kiosk
        case "代办", "帮办代办", "帮代办": self = .agent
        case "上门", "上门服务", "上门办": self = .home
        default: return nil
        }
    }
}

/// Where an evaluation was given (评价渠道).
public enum EvalChannel: String, CaseIterable, Sendable, Codable {
    case window, device, online, mobile, kiosk, sms, phone, agent, home

    /// The Chinese name: 窗口, 评价器, 网上, 掌上, 自助, 短信, 电话, 代办 or 上门.
    public var label: String {
        switch self {
        case .window: "窗口"
        case .device: "评价器"
        case .online: "网上"
        case .mobile: "掌上"
        case .kiosk: "自助"
        case .sms: "短信"
        case .phone: "电话"
        case .agent: "代办"
        case .home: "上门"
        }
    }

    /// Accepts the English name (any case), the Chinese label or a common alias (平板, 二维码, 小程序, 12345 …).
    public init?(text: String) {
        let t = text.trimmingSpaces
        if let v = EvalChannel(rawValue: t.lowercased()) {
            self = v
            return
        }
        if let v = EvalChannel.allCases.first(where: { $0.label == t }) {
            self = v
            return
        }
        switch t {
        case "评价器", "平板", "评价终端", "二维码": self = .device
        case "网站", "PC端": self = .online
        case "APP", "app", "小程序": self = .mobile
        case "回访", "12345": self = .phone
        default: return nil
        }
    }
}

/// How a completed case ended.
public enum Outcome: String, CaseIterable, Sendable, Codable {
    case approved, rejected, withdrawn

    /// The Chinese name: 准予, 不予 or 撤回.
    public var label: String {
        switch self {
        case .approved: "准予"
        case .rejected: "不予"
        case .withdrawn: "撤回"
        }
    }

    /// Accepts the English name (any case) or a common wording (准予许可, 不予受理, 撤件 …); nil otherwise.
    public init?(text: String) {
        if let v = Outcome(rawValue: text) {
            self = v
            return
        }
        let t = text.trimmingSpaces
        if let v = Outcome(rawValue: t.lowercased()) {
            self = v
            return
        }
        switch t {
        case "准予", "准予许可", "办结", "通过", "同意", "approve", "ok": self = .approved
        case "不予", "不予许可", "不予受理", "驳回", "不同意", "reject", "denied": self = .rejected
        case "撤回", "撤销", "撤件", "withdraw": self = .withdrawn
        default: return nil
        }
    }
}
