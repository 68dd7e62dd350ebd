import SanjiCore

/// A small, fast, seedable PRNG (SplitMix64): the same seed gives the same activity everywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that gives the same numbers for the same seed, on every platform.
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

/// Generates realistic activity at one station as the CSV files a clerk would import
/// (cases.csv and evals.csv): working hours and days on the calendar, the item mix the level
/// handles (公共服务 weighs more), completion against 承诺时限 with a few overdue, mostly
/// satisfied evaluations with rare 差评 that get rectified and revisited.
public struct ActivitySimulator {
    /// What to generate: which days, how busy, from which seed.
    public struct Options: Sendable {
        /// The first day of activity.
        public var firstDay: Day
        /// How many days, from `firstDay` on.
        public var days: Int
        /// Cases accepted on a working day (weekends and holidays are quieter).
        public var casesPerDay: Int
        /// The seed: the same options give the same files.
        public var seed: UInt64
        /// Nothing is dated after this moment; cases that would complete later stay open.
        public var now: Timestamp
        /// The station's windows in service: each case goes to one (none: no window column is filled).
        public var windows: [String]

        /// Options for `days` days from `firstDay`, nothing dated after `now`.
        public init(firstDay: Day, days: Int, casesPerDay: Int, seed: UInt64, now: Timestamp, windows: [String] = []) {
            self.windows = windows
            self.firstDay = firstDay
            self.days = days
            self.casesPerDay = casesPerDay
            self.seed = seed
            self.now = now
        }
    }

    /// The generated files and how many records they hold.
    public struct Output: Sendable {
        /// cases.csv, header included.
        public var cases: String
        /// evals.csv, header included.
        public var evaluations: String
        /// Cases in `cases`.
        public var caseCount: Int
        /// Evaluations in `evaluations`.
        public var evaluationCount: Int
        /// consults.csv (咨询 answered that were no case), header included.
        public var consultations: String = Self.consultHeader + "\n"

        /// The header of consults.csv as the simulator writes it.
        public static let consultHeader = "consult_id,at,item_code,window,staff"
    }

    /// The header of cases.csv as the simulator writes it.
    public static let caseHeader = "case_no,item_code,accepted_at,channel,completed_at,outcome,visits,assisted,applicant_name,applicant_id,window,staff,modes"
    /// The header of evals.csv as the simulator writes it.
    public static let evalHeader = "eval_id,case_no,grade,channel,evaluated_at,rectified_at,revisited_at,revisit_grade,named"

    let catalog: Catalog
    let level: Level
    let zone: ZoneRule
    let nodeId: String

    /// A simulator of the station `nodeId` at `level`, using the items of `catalog` it handles.
    public init(catalog: Catalog, level: Level, zone: ZoneRule, nodeId: String) {
        self.catalog = catalog
        self.level = level
        self.zone = zone
        self.nodeId = nodeId
    }

    private static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
    private static let givenNames = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰桂")

    /// Generates the activity `o` asks for, as the CSV files a clerk would import.
    public func generate(_ o: Options) -> Output {
        let items = catalog.items.values.filter { $0.isActive && $0.handled(at: level) }.sorted { $0.code < $1.code }
        guard !items.isEmpty else { return Output(cases: Self.caseHeader + "\n", evaluations: Self.evalHeader + "\n", caseCount: 0, evaluationCount: 0) }
        // 公共服务 and 给付/确认 items are what people come for most.
        let weights = items.map { $0.type == .publicService ? 4 : ($0.type == .benefit || $0.type == .confirmation ? 2 : 1) }
        let totalWeight = weights.reduce(0, +)
        var cases = Self.caseHeader + "\n"
        var evals = Self.evalHeader + "\n"
        cases.reserveCapacity(o.days * o.casesPerDay * 120)
        var caseCount = 0
        var evalCount = 0
        var consults = Output.consultHeader + "\n"
        let cal = catalog.calendar
        for offset in 0..<o.days {
            let day = o.firstDay.adding(days: offset)
            let working = cal.isWorkingDay(day)
            // Each day and each case draw from their own generator, so what a case is depends on
            // (seed, day, number) alone; the clock only decides whether it exists yet and is done.
            var dayRng = SeededRandom(seed: o.seed &* 1_000_003 &+ UInt64(bitPattern: Int64(day.number)))
            let volume = working ? Int(Double(o.casesPerDay) * Double.random(in: 0.8...1.2, using: &dayRng)) : o.casesPerDay / 10
            for seq in 0..<volume {
                var rng = SeededRandom(seed: dayRng.next() &+ UInt64(seq))
                var pick = Int.random(in: 0..<totalWeight, using: &rng)
                var idx = 0
                while pick >= weights[idx] { pick -= weights[idx]; idx += 1 }
                let item = items[idx]
                // Windows differ: the later a window in the list, the more often it runs late and is
                // graded down (so that a 通报 has a 红旗窗口 and a window to watch).
                let windowIndex = o.windows.isEmpty ? 0 : Int.random(in: 0..<o.windows.count, using: &rng)
                let window = o.windows.isEmpty ? "" : o.windows[windowIndex]
                let staff = window.isEmpty ? "" : "0\(window)\(Int.random(in: 1...2, using: &rng))"
                let slack = Double(windowIndex) * 0.01
                let channel: CaseChannel
                if !working {
                    channel = item.onlineDepth >= 3 ? (rng.chance(0.5) ? .online : .mobile) : .online
                } else if item.onlineDepth >= 3, rng.chance(0.45) {
                    channel = rng.chance(0.55) ? .mobile : (rng.chance(0.85) ? .online : .kiosk)
                } else if level == .village, rng.chance(0.2) {
                    channel = .agent
                } else {
                    channel = rng.chance(0.03) ? .home : .window
                }
                let acceptedAt = Self.moment(day, minutes: Int.random(in: 510...1050, using: &rng), zone: zone)
                guard acceptedAt <= o.now else { continue }
                // The seed is part of the number: runs with other seeds never collide, the same seed repeats exactly.
                let caseNo = "\(nodeId)-\(o.seed)-\(Self.compact(day))\(Self.pad(seq + 1, 4))"
                // Completion: 即办件 the same day; others within 承诺时限, a few overdue.
                var completedAt: Timestamp?
                var doneDay = day
                if item.promisedDays == 0 {
                    doneDay = rng.chance(0.97) ? day : cal.deadline(acceptedOn: day, workingDays: 1)
                } else {
                    let late = rng.chance(0.02 + slack)
                    let span = late ? item.promisedDays + Int.random(in: 1...3, using: &rng) : Int.random(in: 0...item.promisedDays, using: &rng)
                    doneDay = cal.deadline(acceptedOn: day, workingDays: span)
                }
                let doneMinutes = doneDay == day ? min(1080, Int.random(in: 0...120, using: &rng) + Self.minutes(acceptedAt, zone: zone)) : Int.random(in: 540...1050, using: &rng)
                let candidate = Self.moment(doneDay, minutes: doneMinutes, zone: zone)
                if candidate <= o.now { completedAt = candidate }
                let visits: Int
                switch channel {
                case .online, .mobile, .kiosk: visits = rng.chance(0.9) ? 0 : min(1, item.maxVisits)
                case .agent, .home: visits = 0
                case .window: visits = max(1, min(item.maxVisits, rng.chance(0.85) ? 1 : 2))
                }
                let outcome = rng.chance(0.95) ? "approved" : (rng.chance(0.6) ? "rejected" : "withdrawn")
                let name = String(Self.surnames[Int.random(in: 0..<Self.surnames.count, using: &rng)])
                    + String(Self.givenNames[Int.random(in: 0..<Self.givenNames.count, using: &rng)])
                let idNumber = "340321" + Self.pad(Int.random(in: 19_400_101...20_081_231, using: &rng), 8) + Self.pad(Int.random(in: 0...9999, using: &rng), 4)
                let assisted = channel == .agent || rng.chance(level == .county ? 0.02 : 0.05)
                // Service modes beyond the channel: 帮办 for assisted window cases, 预约 and 延时 now and then,
                // and results mailed (政务专递) for some completed ones.
                var modes: [String] = []
                if assisted, channel != .agent { modes.append(rng.chance(0.7) ? "帮办" : "代办") }
                if channel == .window, rng.chance(0.04) { modes.append("预约") }
                if channel == .window, rng.chance(0.02) { modes.append("延时") }
                if completedAt != nil, rng.chance(0.03) { modes.append("邮寄") }
                cases += "\(caseNo),\(item.code),\(zone.format(acceptedAt)),\(channel.rawValue),"
                cases += completedAt.map { "\(zone.format($0)),\(outcome),\(visits)" } ?? ",,"
                cases += ",\(assisted ? 1 : 0),\(name),\(idNumber),\(channel == .window ? window : ""),\(channel == .window ? staff : ""),\(modes.joined(separator: "、"))\n"
                caseCount += 1
                // 咨询: about one consultation for every ten cases at a window.
                if channel == .window, rng.chance(0.1) {
                    consults += "\(caseNo)-Z,\(zone.format(acceptedAt)),\(item.code),\(window),\(staff)\n"
                }
                // Evaluations: about 60 % of completed cases; 差评 are rare and mostly followed up.
                guard let done = completedAt, rng.chance(0.6) else { continue }
                let r = Double.random(in: 0..<1, using: &rng)
                let bad = 0.992 - slack * 0.5
                let grade: Grade = r < 0.80 ? .verySatisfied : r < 0.95 ? .satisfied : r < bad ? .fair : r < 0.998 ? .dissatisfied : .veryDissatisfied
                let evalAt = Timestamp(seconds: done.seconds + Int64(Int.random(in: 60...7200, using: &rng)))
                guard evalAt <= o.now else { continue }
                let evalChannel: EvalChannel = channel.isOnline ? (channel == .mobile ? .mobile : .online) : (channel == .window ? .device : .sms)
                var rectified = ""
                var revisited = ""
                var revisitGrade = ""
                if grade.isBad {
                    let fixAt = Timestamp(seconds: evalAt.seconds + Int64(Int.random(in: 1...5, using: &rng)) * 86_400)
                    if rng.chance(0.9), fixAt <= o.now {
                        rectified = zone.format(fixAt)
                        let visitAt = Timestamp(seconds: fixAt.seconds + 86_400)
                        if rng.chance(0.9), visitAt <= o.now {
                            revisited = zone.format(visitAt)
                            revisitGrade = rng.chance(0.8) ? Grade.satisfied.rawValue : Grade.fair.rawValue
                        }
                    }
                }
                // Evaluations given online or on a phone are 实名 (the evaluator is logged in); a device or an SMS is 匿名.
                let named = evalChannel == .online || evalChannel == .mobile
                evals += "\(caseNo)-P,\(caseNo),\(grade.rawValue),\(evalChannel.rawValue),\(zone.format(evalAt)),\(rectified),\(revisited),\(revisitGrade),\(named ? 1 : 0)\n"
                evalCount += 1
            }
        }
        return Output(cases: cases, evaluations: evals, caseCount: caseCount, evaluationCount: evalCount, consultations: consults)
    }

    static func moment(_ day: Day, minutes: Int, zone: ZoneRule) -> Timestamp {
        zone.timestamp(localSeconds: Int64(day.number) * 86_400 + Int64(minutes) * 60)
    }

    static func minutes(_ t: Timestamp, zone: ZoneRule) -> Int {
        let local = t.seconds + Int64(zone.offset(at: t))
        return Int((local % 86_400) / 60)
    }

    static func compact(_ d: Day) -> String {
        let (y, m, dd) = d.components
        return Self.pad(y, 4) + Self.pad(m, 2) + Self.pad(dd, 2)
    }

    static func pad(_ n: Int, _ w: Int) -> String { Day.pad(n, w) }
}
