/// The weights of the 综合得分 (a county setting, `score_weights`; docs/figures.md, "Rankings").
/// Each weight is in points; a unit's score is the weighted mean of the rates it has, times 100.
public struct ScoreWeights: Hashable, Sendable {
    /// 办结率.
    public var completion: Int
    /// 按期率 counting cases left open past their deadline as late (按期办结 ÷ (办结 + 期末超期未办结)).
    public var onTime: Int
    /// 满意率.
    public var satisfaction: Int
    /// 网办件占比.
    public var online: Int
    /// 差评整改率.
    public var rectification: Int

    /// The defaults: 办结 20, 按期 30, 满意 30, 网办 10, 整改 10.
    public static let `default` = ScoreWeights(completion: 20, onTime: 30, satisfaction: 30, online: 10, rectification: 10)

    /// Weights in points (each 0 to 100).
    public init(completion: Int, onTime: Int, satisfaction: Int, online: Int, rectification: Int) {
        self.completion = completion
        self.onTime = onTime
        self.satisfaction = satisfaction
        self.online = online
        self.rectification = rectification
    }

    /// The names of the weights in the setting's text, in order.
    public static let names = ["completion", "on_time", "satisfaction", "online", "rectification"]

    /// The weights in `names` order.
    public var values: [Int] { [completion, onTime, satisfaction, online, rectification] }

    /// The setting's text: `completion=20,on_time=30,satisfaction=30,online=10,rectification=10`.
    public var text: String { zip(Self.names, values).map { "\($0)=\($1)" }.joined(separator: ",") }

    /// Reads the setting's text; names left out weigh 0. Refuses unknown names, weights outside
    /// 0…100, and all weights 0.
    public static func parse(_ text: String) -> Result<ScoreWeights, SanjiError> {
        var v = [String: Int]()
        for part in text.split(separator: ",").map({ $0.trimmingSpaces }) where !part.isEmpty {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard kv.count == 2, names.contains(kv[0]) else {
                return .failure(SanjiError(.invalidArgument, "score weight \"\(part)\": name one of \(names.joined(separator: ", ")) as name=points"))
            }
            guard let n = Int(kv[1]), (0...100).contains(n) else {
                return .failure(SanjiError(.invalidArgument, "score weight \(kv[0]) = \"\(kv[1])\" is not a whole number of points from 0 to 100"))
            }
            v[kv[0]] = n
        }
        let w = ScoreWeights(completion: v["completion"] ?? 0, onTime: v["on_time"] ?? 0, satisfaction: v["satisfaction"] ?? 0,
                             online: v["online"] ?? 0, rectification: v["rectification"] ?? 0)
        guard w.values.contains(where: { $0 > 0 }) else { return .failure(SanjiError(.invalidArgument, "every score weight is 0; give at least one")) }
        return .success(w)
    }

    /// 综合得分 of `f` (0 to 100), or nil when the unit has none of the weighted rates (无数据).
    /// Rates a unit does not have (no evaluations, no 差评) leave the mean: the other weights count
    /// in their place.
    public func score(_ f: PeriodFigures) -> Double? {
        let rates: [(Int, Ratio)] = [(completion, f.completionRate), (onTime, f.onTimeIncludingOpen), (satisfaction, f.satisfactionRate),
                                     (online, f.onlineShare), (rectification, f.rectificationRate)]
        var sum = 0.0, weight = 0
        for (w, r) in rates where w > 0 {
            guard let v = r.value else { continue }
            sum += Double(w) * v
            weight += w
        }
        return weight == 0 ? nil : sum / Double(weight) * 100
    }
}

extension PeriodFigures {
    /// 按期办结 ÷ (办结 + 期末超期未办结): the 按期 rate of the 综合得分, in which a case left open
    /// past its deadline counts as late (so that not closing late cases never pays).
    public var onTimeIncludingOpen: Ratio { Ratio(counters.completedOnTime, completed + overdueOpenEnd) }
}

/// One unit of a ranking: its figures, its 综合得分 and its place.
public struct RankedUnit: Sendable {
    /// The unit's key (node id, township id, department, `origin/window`).
    public var key: String
    /// The name printed.
    public var name: String
    /// Its figures over the period, as at its end.
    public var figures: PeriodFigures
    /// 综合得分 rounded to 2 places; nil for 无数据.
    public var score: Double?
    /// 1 = best; units with equal scores share a rank; nil for 无数据.
    public var rank: Int?
    /// Whether another unit shares its rank (并列).
    public var tied: Bool

    /// The rank as printed: `3`, `3（并列）` or `无数据`.
    public var rankText: String {
        guard let rank else { return "无数据" }
        return tied ? "\(rank)（并列）" : String(rank)
    }

    /// The score as printed (2 places), or `无数据`.
    public var scoreText: String { score.map { NumberText.fixed($0, places: 2) } ?? "无数据" }
}

/// Rankings by 综合得分: units with data ranked (ties share a rank, stated as 并列), units
/// without data listed last as 无数据, never ranked.
public enum Ranking {
    /// Ranks `units` (key, name, figures) by `weights`. Scores are compared as printed (2 places), so
    /// that two units a reader sees as equal share their rank. Equal units keep their input order.
    public static func rank(_ units: [(key: String, name: String, figures: PeriodFigures)], weights: ScoreWeights) -> [RankedUnit] {
        let scored = units.map { u -> RankedUnit in
            let s = weights.score(u.figures).map { ($0 * 100).rounded() / 100 }
            return RankedUnit(key: u.key, name: u.name, figures: u.figures, score: s, rank: nil, tied: false)
        }
        var ranked = scored.filter { $0.score != nil }.enumerated().sorted { a, b in
            a.element.score! != b.element.score! ? a.element.score! > b.element.score! : a.offset < b.offset
        }.map(\.element)
        for i in ranked.indices {
            ranked[i].rank = i > 0 && ranked[i - 1].score == ranked[i].score ? ranked[i - 1].rank : i + 1
        }
        for i in ranked.indices {
            ranked[i].tied = (i > 0 && ranked[i - 1].rank == ranked[i].rank) || (i + 1 < ranked.count && ranked[i + 1].rank == ranked[i].rank)
        }
        return ranked + scored.filter { $0.score == nil }
    }
}
