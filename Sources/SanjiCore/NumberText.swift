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
}
