/// How percentages are printed: a county's choice, set at the root and carried down with the
/// catalogue (docs/figures.md). JSON always keeps the full fraction.
public enum Rounding: String, CaseIterable, Sendable {
    /// 四舍五入 to 0.01 % (most reports: 怀远's 压缩比 2,147/3,087 → 69.55 %).
    case halfUp = "half-up"
    /// Cut (truncated) to 0.01 % (汉中's 满意率 9,493/9,498 → 99.94 %).
    case cut

    /// Half up (四舍五入), unless the county chooses otherwise.
    public static let `default` = Rounding.halfUp
}

/// A rate kept as its numerator and denominator, so that it prints exactly as official
/// reports do (rounded half up or cut, as the county chose) and is `null`, not 0, when nothing
/// was counted.
public struct Ratio: Hashable, Sendable {
    /// What is counted (e.g. 差评 rectified).
    public let numerator: Int
    /// What it is counted out of (e.g. 差评); 0 leaves the rate undefined.
    public let denominator: Int

    /// The rate `numerator ÷ denominator`, kept unreduced.
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The fraction at full precision; nil when the denominator is zero.
    public var value: Double? { denominator == 0 ? nil : Double(numerator) / Double(denominator) }

    /// A percentage to 0.01 %: 2147/3087 → `69.55%` half up, `69.54%` cut. `—` when undefined.
    public func percentText(_ rounding: Rounding) -> String {
        guard denominator != 0 else { return "—" }
        return Ratio.fixed(numerator, denominator, places: 2, scale: 100, rounding: rounding) + "%"
    }

    /// The plain quotient to two decimals (平均跑动次数 0.93), `—` when undefined.
    public func decimalText(_ rounding: Rounding) -> String {
        guard denominator != 0 else { return "—" }
        return Ratio.fixed(numerator, denominator, places: 2, scale: 1, rounding: rounding)
    }

    /// `numerator * scale / denominator` to `places` decimals, in integer arithmetic (no binary
    /// fraction can make 69.55 print as 69.54).
    static func fixed(_ n: Int, _ d: Int, places: Int, scale: Int, rounding: Rounding) -> String {
        var unit = 1
        for _ in 0..<places { unit *= 10 }
        let factor = scale * unit
        let negative = (n < 0) != (d < 0) && n != 0
        let (an, ad) = (abs(n), abs(d))
        let scaled = switch rounding {
        case .cut: an * factor / ad
        case .halfUp: (2 * an * factor + ad) / (2 * ad)
        }
        let whole = scaled / unit
        let frac = String(scaled % unit)
        let fracText = String(repeating: "0", count: places - frac.count) + frac
        return (negative && scaled != 0 ? "-" : "") + "\(whole)." + fracText
    }
}
