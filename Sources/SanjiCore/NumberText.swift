/// Numbers as people read them: grouped in thousands with commas.
public enum NumberText {
    /// `1234567` → `1,234,567`.
    public static func thousands(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// `x` with `places` decimals, rounded half away from zero (no Foundation formatter): `93.456` → `93.46`.
    public static func fixed(_ x: Double, places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let n = Int((abs(x) * Double(scale)).rounded())
        let whole = n / scale, frac = n % scale
        let fracText = places == 0 ? "" : "." + String(repeating: "0", count: places - String(frac).count) + String(frac)
        return (x < 0 && n != 0 ? "-" : "") + String(whole) + fracText
    }
}
