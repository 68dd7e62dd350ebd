import Foundation
@_spi(Testing) import SanjiStore
import XCTest

/// `sanji verify`: digests asked through the tree, differences listed, and healed by resending.
final class VerifyTests: XCTestCase {
    func verify(_ fed: Federation, at node: String, _ extra: [String] = []) throws -> (status: Int32, report: [String: [String: Any]]) {
        let r = try fed.sanji(["verify", "--format", "json", "--timeout", "45"] + extra, node: node)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let nodes = try XCTUnwrap(object?["nodes"] as? [[String: Any]], "no report: \(r.stdout)\n\(r.stderr)")
        return (r.status, Dictionary(uniqueKeysWithValues: nodes.map { ($0["id"] as? String ?? "", $0) }))
    }

    /// A node with no rows at all still answers (an outside implementation found it did not).
    func testNodesWithNoRowsAnswerAndAgree() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, township, v1, v2) = try fed.smallCounty()
        let r = try verify(fed, at: county)
        XCTAssertEqual(r.status, 0, "\(r.report)")
        // --progress shows the answers counted even into a pipe (without it, only on a terminal).
        let shown = try fed.sanji(["verify", "--format", "json", "--timeout", "45", "--progress"], node: county)
        XCTAssertTrue(shown.stderr.contains("answers: 3 of 3 nodes  100 %"), shown.stderr)
        XCTAssertEqual(Set(r.report.keys), [township, v1, v2])
        XCTAssertTrue(r.report.values.allSatisfy { $0["result"] as? String == "agrees" }, "\(r.report)")
    }

    func testACorruptedCountyCopyIsFoundAndHealedFromItsOrigin() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, township, v1, v2) = try fed.smallCounty()
        try fed.ok(["simulate", "--days", "40", "--seed", "5"], node: v1)
        try fed.ok(["simulate", "--days", "40", "--seed", "6"], node: v2)
        try fed.ok(["simulate", "--days", "10", "--seed", "7"], node: township)
        try fed.waitForConvergence(root: county, nodes: [county, township, v1, v2])

        let clean = try verify(fed, at: county)
        XCTAssertEqual(clean.status, 0)
        XCTAssertEqual(Set(clean.report.keys), [township, v1, v2])
        XCTAssertTrue(clean.report.values.allSatisfy { $0["result"] as? String == "agrees" }, "\(clean.report)")

        // Damage the county's copy while it serves: one of v1's rows gains 7 cases, one of v2's
        // rows is lost (not the newest of its month, so that the copy has "seen" the latest rev).
        let countyDB = try RawDatabase(path: fed.dbPath(county))
        let damagedMonth = try countyDB.transaction { () throws -> String in
            let day = try XCTUnwrap(try countyDB.text("SELECT day FROM summary WHERE origin = ? AND accepted > 0 ORDER BY day LIMIT 1", [.text(v1)]))
            try countyDB.execute("""
                UPDATE summary SET accepted = accepted + 7
                WHERE origin = ? AND (day, item) = (SELECT day, item FROM summary WHERE origin = ? AND day = ? LIMIT 1)
                """, [.text(v1), .text(v1), .text(day)])
            return String(day.prefix(7))
        }
        let lostMonth = try countyDB.transaction { () throws -> String in
            let row = try XCTUnwrap(try countyDB.rows("""
                SELECT s.day, s.item FROM summary s
                WHERE s.origin = ? AND s.origin_rev < (SELECT max(origin_rev) FROM summary t WHERE t.origin = s.origin AND substr(t.day, 1, 7) = substr(s.day, 1, 7))
                ORDER BY s.day DESC LIMIT 1
                """, [.text(v2)]).first)
            try countyDB.execute("DELETE FROM summary WHERE origin = ? AND day = ? AND item = ?", [.text(v2), row["day"], row["item"]])
            return String((row["day"].text ?? "").prefix(7))
        }

        let listed = try verify(fed, at: county, ["--no-heal"])
        XCTAssertEqual(listed.status, 1, "a difference left unhealed fails the check")
        XCTAssertEqual(listed.report[v1]?["result"] as? String, "differs")
        XCTAssertEqual(listed.report[v1]?["months"] as? [String], [damagedMonth])
        XCTAssertEqual(listed.report[v2]?["result"] as? String, "differs")
        XCTAssertEqual(listed.report[v2]?["months"] as? [String], [lostMonth])
        XCTAssertEqual(listed.report[township]?["result"] as? String, "agrees")

        let healed = try verify(fed, at: county)
        XCTAssertEqual(healed.status, 0, "\(healed.report)")
        XCTAssertEqual(healed.report[v1]?["result"] as? String, "healed")
        XCTAssertEqual(healed.report[v2]?["result"] as? String, "healed")
        XCTAssertEqual(healed.report[township]?["result"] as? String, "agrees")
        // The county's copy is the villages' own rows again, row for row, and the figures add up.
        for v in [v1, v2] {
            XCTAssertEqual(try NodeStore.open(in: fed.nodes[county]!.dir).summaryRows(origin: v), try NodeStore.open(in: fed.nodes[v]!.dir).summaryRows(), v)
        }
        try fed.waitForConvergence(root: county, nodes: [county, township, v1, v2])
        XCTAssertTrue(fed.log(v1).contains("sending rows again to heal a parent's copy"))

        // A node that is offline is listed as not answering, and the check fails.
        fed.stop(v2, hard: true)
        let partial = try verify(fed, at: county)
        XCTAssertEqual(partial.status, 1)
        XCTAssertEqual(partial.report[v2]?["result"] as? String, "no answer")
        XCTAssertEqual(partial.report[v1]?["result"] as? String, "agrees")
    }

    /// Window rows are part of the check: a county copy of a village's window row that differs is
    /// found, in its month, and healed from the village.
    func testADamagedWindowRowIsFoundAndHealed() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, township, v1, v2) = try fed.smallCounty()
        try fed.ok(["window", "add", "1", "--name", "代办窗口"], node: v1)
        try fed.ok(["simulate", "--days", "40", "--seed", "5"], node: v1)
        try fed.waitForConvergence(root: county, nodes: [county, township, v1, v2])
        XCTAssertFalse(try NodeStore.open(in: fed.nodes[county]!.dir).unitRows(origin: v1).isEmpty, "the village's window rows reached the county")
        XCTAssertTrue(try verify(fed, at: county).report.values.allSatisfy { $0["result"] as? String == "agrees" })

        let countyDB = try RawDatabase(path: fed.dbPath(county))
        let day = try XCTUnwrap(try countyDB.text("SELECT day FROM summary_unit WHERE origin = ? AND accepted > 0 ORDER BY day LIMIT 1", [.text(v1)]))
        try countyDB.execute("UPDATE summary_unit SET accepted = accepted + 3 WHERE origin = ? AND day = ? AND kind = 'window'", [.text(v1), .text(day)])
        let listed = try verify(fed, at: county, ["--no-heal"])
        XCTAssertEqual(listed.report[v1]?["result"] as? String, "differs")
        XCTAssertEqual(listed.report[v1]?["months"] as? [String], [String(day.prefix(7))])
        let healed = try verify(fed, at: county)
        XCTAssertEqual(healed.report[v1]?["result"] as? String, "healed", "\(healed.report)")
        XCTAssertEqual(try NodeStore.open(in: fed.nodes[county]!.dir).unitRows(origin: v1), try NodeStore.open(in: fed.nodes[v1]!.dir).unitRows()
            .filter { $0.key.kind == .window }, "the county's copy is the village's window rows again (its staff rows stay home)")
    }

    func testVerifyNeedsARunningServe() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        try fed.add("340321", level: "county")
        let r = try fed.sanji(["verify"], node: "340321")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("sanji serve is not running"), r.stderr)
    }
}
