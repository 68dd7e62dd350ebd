import SanjiFixtures
import XCTest
import SanjiCore
@testable import SanjiStore

/// After three thousand random accepts, completions, re-imports, evaluations, rectifications and
/// revisits, the summary rows kept incrementally equal a recomputation from the raw tables, and
/// also an oracle kept by the test itself from the final state of every record.
final class SummaryPropertyTests: XCTestCase {
    func testSummaryRowsEqualARecomputation_afterRandomOperations() throws {
        for seed in TestSeed.seeds([1, 2, 3], for: "SummaryPropertyTests") {
            try run(seed: seed, operations: 1000)
        }
    }

    /// A seeded pick that does not depend on dictionary order (which differs per process).
    func pick<V>(_ d: [String: V], _ rng: inout SeededRandom, where keep: (V) -> Bool) -> (String, V)? {
        let keys = d.keys.sorted().filter { keep(d[$0]!) }
        guard let k = keys.randomElement(using: &rng) else { return nil }
        return (k, d[k]!)
    }

    func run(seed: UInt64, operations: Int) throws {
        let f = try StoreFixture()
        let z = f.store.zone
        var rng = SeededRandom(seed: seed)
        let items = ["SB001", "CJ001", "XK001"]
        var cases: [String: (item: String, accepted: Timestamp, channel: CaseChannel, done: Timestamp?, visits: Int, modes: ServiceModes)] = [:]
        for w in ["1", "2"] { try f.store.addWindow(w, name: "\(w)号窗口", kind: "综合") }
        var evals: [String: (grade: Grade, at: Timestamp, item: String, rectified: Bool, revisited: Bool)] = [:]
        var revs = try f.store.summaryRevs()
        var lastRev = try f.store.currentRev()
        let base = z.parse("2026-09-20 08:00")!.seconds

        for step in 0..<operations {
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 35 || cases.isEmpty {
                // Accept a new case, through the CLI path or as a one-row import.
                let no = "P\(seed)-\(step)"
                let item = items.randomElement(using: &rng)!
                let at = Timestamp(seconds: base + Int64.random(in: 0...(55 * 86_400), using: &rng))
                let channel = CaseChannel.allCases.randomElement(using: &rng)!
                // Through the CLI path, some with a window, a staff member and service modes.
                var modes = ServiceModes()
                if rng.chance(0.5) {
                    modes = ServiceModes(ServiceMode.allCases.filter { _ in rng.chance(0.3) })
                    let window = ["", "1", "2"].randomElement(using: &rng)!, staff = ["", "0107", "0212"].randomElement(using: &rng)!
                    _ = try f.store.acceptCase(["case_no": no, "item_code": item, "accepted_at": z.format(at), "channel": channel.rawValue,
                                                "window": window, "staff": staff, "modes": modes.modes.map(\.label).joined(separator: "、")], now: StoreFixture.now)
                } else {
                    _ = try f.importCases("\(no),\(item),\(z.format(at)),\(channel.rawValue),,,\n")
                }
                cases[no] = (item, at, channel, nil, 0, modes)
            } else if roll < 60 {
                // Complete an open case (CLI or a later export).
                guard let (no, c) = pick(cases, &rng, where: { $0.done == nil }) else { continue }
                let done = Timestamp(seconds: c.accepted.seconds + Int64.random(in: 0...(20 * 86_400), using: &rng))
                guard done <= StoreFixture.now else { continue }
                let visits = Int.random(in: 0...3, using: &rng)
                if rng.chance(0.5) {
                    _ = try f.store.completeCase(no, at: z.format(done), outcome: "approved", visits: visits, now: StoreFixture.now)
                } else {
                    _ = try f.importCases("\(no),\(c.item),\(z.format(c.accepted)),\(c.channel.rawValue),\(z.format(done)),approved,\(visits)\n")
                }
                cases[no]!.done = done
                cases[no]!.visits = visits
            } else if roll < 70 {
                // Re-import a stale or current snapshot of a case: never changes anything.
                guard let (no, c) = pick(cases, &rng, where: { _ in true }) else { continue }
                let r = try f.importCases("\(no),\(c.item),\(z.format(c.accepted)),\(c.channel.rawValue),,,\n")
                XCTAssertEqual(r.unchanged, 1)
            } else if roll < 88 {
                guard let (no, c) = pick(cases, &rng, where: { $0.done != nil }) else { continue }
                let grade = Grade.allCases.randomElement(using: &rng)!
                let at = Timestamp(seconds: min(c.done!.seconds + 60, StoreFixture.now.seconds))
                let id = "E\(seed)-\(step)"
                _ = try f.store.addEvaluation(["eval_id": id, "case_no": no, "grade": grade.rawValue, "channel": "device", "evaluated_at": z.format(at)], now: StoreFixture.now)
                evals[id] = (grade, at, c.item, false, false)
            } else {
                guard let (id, e) = pick(evals, &rng, where: { $0.grade.isBad && !($0.rectified && $0.revisited) }) else { continue }
                let at = z.format(Timestamp(seconds: min(e.at.seconds + 3600, StoreFixture.now.seconds)))
                if !e.rectified {
                    _ = try f.store.rectify(id, at: at, now: StoreFixture.now)
                    evals[id]!.rectified = true
                } else {
                    _ = try f.store.revisit(id, at: at, grade: "满意", now: StoreFixture.now)
                    evals[id]!.revisited = true
                }
            }
            // Every changed summary row carries a rev above every earlier one.
            let now = try f.store.summaryRevs()
            for (key, rev) in now where revs[key] != rev {
                XCTAssertGreaterThan(rev, lastRev, "row \(key) changed without a new rev")
            }
            XCTAssertEqual(Set(now.values).count, now.count, "revs are unique")
            lastRev = try f.store.currentRev()
            revs = now
        }

        let stored = try f.store.summaryRows()
        XCTAssertEqual(stored, try f.store.recomputedSummary(), "seed \(seed): summary rows drifted from the raw tables")
        let units = try f.store.unitRows()
        XCTAssertFalse(units.isEmpty, "seed \(seed): some cases named a window")
        XCTAssertEqual(units, try f.store.recomputedUnits(), "seed \(seed): window and staff rows drifted from the raw tables")

        // The test's own oracle, from first principles.
        let catalog = try f.store.catalog()
        var oracle: [SummaryKey: SummaryCounters] = [:]
        var lateOracle: Set<String> = []
        for (no, c) in cases {
            let acceptDay = z.day(of: c.accepted)
            oracle[SummaryKey(day: acceptDay, item: c.item), default: SummaryCounters()].accepted += 1
            if c.channel == .online || c.channel == .mobile || c.channel == .kiosk {
                oracle[SummaryKey(day: acceptDay, item: c.item)]!.acceptedOnline += 1
            }
            // The agent channel is 代办, the home channel 上门; 帮办 or 代办 makes a case assisted.
            let key = SummaryKey(day: acceptDay, item: c.item)
            var modes = c.modes
            if c.channel == .agent { modes.insert(ServiceMode.proxy) }
            if c.channel == .home { modes.insert(ServiceMode.home) }
            for m in modes.modes { oracle[key]![m] += 1 }
            if modes.contains(ServiceMode.help) || modes.contains(ServiceMode.proxy) { oracle[key]!.assisted += 1 }
            let deadline = catalog.calendar.deadline(acceptedOn: acceptDay, workingDays: catalog.items[c.item]!.promisedDays)
            let dueKey = SummaryKey(day: deadline, item: c.item)
            oracle[dueKey, default: SummaryCounters()].due += 1
            if let done = c.done, z.day(of: done) <= deadline { oracle[dueKey]!.dueMet += 1 }
            if let done = c.done, z.day(of: done) > deadline { lateOracle.insert(no) }
            if c.done == nil, deadline < z.day(of: StoreFixture.now) { lateOracle.insert(no) }
            if let done = c.done {
                let key = SummaryKey(day: z.day(of: done), item: c.item)
                oracle[key, default: SummaryCounters()].completed += 1
                oracle[key]!.completedOnTime += z.day(of: done) <= deadline ? 1 : 0
                oracle[key]!.completedImmediate += z.day(of: done) == acceptDay ? 1 : 0
                oracle[key]!.visits += c.visits
            }
        }
        for (_, e) in evals {
            let key = SummaryKey(day: z.day(of: e.at), item: e.item)
            oracle[key, default: SummaryCounters()][e.grade] += 1
        }
        XCTAssertEqual(stored, oracle, "seed \(seed): summary rows differ from the test's oracle")
        // Exception records: every 差评 with its follow-up, and every case late or open past its deadline.
        var reviews: [String: (Bool, Bool)] = [:]
        var late: Set<String> = []
        for x in try f.store.exceptionRecords() {
            switch x {
            case .badReview(let r): reviews[r.evalId] = (r.rectifiedDay != nil, r.revisitedDay != nil)
            // A record stays once made; one whose completion was back-dated to its deadline is kept but was never late.
            case .overdueCase(let c): if c.completedDay.map({ $0 > c.deadline }) ?? true { late.insert(c.caseNo) }
            }
        }
        XCTAssertEqual(reviews.mapValues { [$0.0, $0.1] }, evals.filter { $0.value.grade.isBad }.mapValues { [$0.rectified, $0.revisited] },
                       "seed \(seed): the 差评 records differ from the test's oracle")
        XCTAssertEqual(late, lateOracle, "seed \(seed): the overdue-case records differ from the test's oracle")
        XCTAssertGreaterThan(cases.count, 300)
        XCTAssertGreaterThan(evals.count, 100)
    }
}
