import Synchronization

/// "Did you mean": the closest strings by edit distance, for unknown codes and names.
public enum Suggestions {
    /// Answers remembered for one set of candidates (one import's catalogue): a file where a
    /// million rows name the same unknown item asks the same question a million times.
    public final class Memo: Sendable {
        private let answers = Mutex<[String: [String]]>([:])

        /// An empty memo.
        public init() {}

        /// `closest(to: query, in: candidates)`, computed once per query. The candidates must be
        /// the same on every call.
        public func closest(to query: String, in candidates: some Sequence<String>) -> [String] {
            if let known = answers.withLock({ $0[query] }) { return known }
            let answer = Suggestions.closest(to: query, in: candidates)
            answers.withLock { if $0.count < 10_000 { $0[query] = answer } }
            return answer
        }
    }

    /// Up to `limit` candidates within an edit distance of a third of the query's length (at least 2),
    /// closest first.
    public static func closest(to query: String, in candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let q = Array(query.unicodeScalars)
        let cap = max(2, q.count / 3)
        var scored: [(Int, String)] = []
        for c in candidates {
            let s = Array(c.unicodeScalars)
            if abs(s.count - q.count) > cap { continue }
            let d = distance(q, s, cap: cap)
            if d <= cap { scored.append((d, c)) }
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(limit).map(\.1)
    }

    /// Levenshtein distance, giving up (returning cap + 1) once every path exceeds `cap`.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], cap: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > cap { return cap + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
