/// A rate kept as its numerator and denominator, so that it prints exactly as official
/// reports do (cut, not rounded) and is `null`, not 0, when nothing was counted.
public struct Ratio: Hashable, Sendable {
    public let numerator: Int
    public let denominator: Int

    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The fraction at full precision; nil when the denominator is zero.
    public var value: Double? { denominator == 0 ? nil : Double(numerator) / Double(denominator) }

    /// Percentage cut (truncated toward zero) to 0.01 %: 9493/9498 → `99.94%`. `—` when undefined.
    public var percentText: String {
        guard denominator != 0 else { return "—" }
        return Ratio.cut(numerator, denominator, places: 2, scale: 100) + "%"
    }

    /// The plain quotient cut to two decimals (平均跑动次数 0.93), `—` when undefined.
    public var decimalText: String {
        guard denominator != 0 else { return "—" }
        return Ratio.cut(numerator, denominator, places: 2, scale: 1)
    }

    /// `numerator * scale / denominator` cut to `places` decimals, in integer arithmetic.
    static func cut(_ n: Int, _ d: Int, places: Int, scale: Int) -> String {
        var factor = scale
        for _ in 0..<places { factor *= 10 }
        let negative = (n < 0) != (d < 0) && n != 0
        let scaled = abs(n) * factor / abs(d)
        var unit = 1
        for _ in 0..<places { unit *= 10 }
        let whole = scaled / unit
        let frac = String(scaled % unit)
        let fracText = String(repeating: "0", count: places - frac.count) + frac
        return (negative ? "-" : "") + "\(whole)." + fracText
    }
}
