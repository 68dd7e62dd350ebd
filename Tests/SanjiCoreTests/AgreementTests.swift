import XCTest
@testable import SanjiCore

final class AgreementTests: XCTestCase {
    typealias RowSpec = (day: String, item: String, counters: [Int], rev: UInt64)

    func digests(_ rows: [RowSpec], origin: String = "v1") -> [MonthDigest] {
        var b = DigestBuilder()
        for r in rows { b.add(origin: origin, day: r.day, item: r.item, counters: r.counters, originRev: r.rev) }
        return b.digests
    }

    let rows: [RowSpec] = [
        ("2026-10-30", "A", [3, 1, 0, 2], 4), ("2026-10-31", "A", [1, 0, 0, 1], 5),
        ("2026-11-01", "A", [2, 2, 1, 0], 7), ("2026-11-01", "B", [1, 0, 0, 0], 9),
    ]

    func testDigestsArePerMonthAndIgnoreOrder() {
        let a = digests(rows)
        XCTAssertEqual(a.map(\.month), ["2026-10", "2026-11"])
        XCTAssertEqual(a.map(\.rows), [2, 2])
        XCTAssertEqual(a.map(\.maxOriginRev), [5, 9])
        XCTAssertEqual(digests(rows.reversed()), a)
        XCTAssertTrue(a.allSatisfy { $0.digest <= UInt64(Int64.max) })
    }

    func testAnyChangeOfKeyOrCounterChangesTheDigest() {
        let base = digests(rows)[1].digest
        var changed = rows
        changed[2].counters[3] += 1
        XCTAssertNotEqual(digests(changed)[1].digest, base)
        changed = rows
        changed[3].item = "C"
        XCTAssertNotEqual(digests(changed)[1].digest, base)
        XCTAssertNotEqual(digests(rows, origin: "v2")[1].digest, base)
        // The rev does not count: copies delivered by different revs agree.
        changed = rows
        changed[2].rev = 8
        XCTAssertEqual(digests(changed)[1].digest, base)
        // Counters moved between fields of one row are not the same row.
        changed = rows
        changed[2].counters = [2, 2, 0, 1]
        XCTAssertNotEqual(digests(changed)[1].digest, base)
    }

    func testCompareTellsDamageFromRowsOnTheirWay() {
        let origin = digests(rows)
        XCTAssertTrue(Agreement.compare(origin: origin, copy: origin).agrees)
        // A damaged copy that has seen the latest rev: differs.
        var damaged = rows
        damaged[0].counters[0] = 99
        XCTAssertEqual(Agreement.compare(origin: origin, copy: digests(damaged)), Agreement(differs: ["2026-10"]))
        // A copy missing the newest row of a month: behind.
        XCTAssertEqual(Agreement.compare(origin: origin, copy: digests(Array(rows.prefix(3)))), Agreement(behind: ["2026-11"]))
        // A copy missing a month entirely: behind; holding rows the origin no longer has: extra
        // (sending the origin's rows again cannot remove them).
        XCTAssertEqual(Agreement.compare(origin: origin, copy: digests(Array(rows.prefix(2)))), Agreement(behind: ["2026-11"]))
        XCTAssertEqual(Agreement.compare(origin: digests(Array(rows.prefix(2))), copy: origin), Agreement(extra: ["2026-11"]))
    }
}
