import Foundation
import XCTest

/// `sanji revoke` refuses a station from then on (open connections too) and keeps its past rows;
/// `sanji keys rotate` plus re-enrolment lets it back in without losing its backlog.
final class RevocationTests: XCTestCase {
    func testRevokeThenRotateAndReEnrol_losesNothing() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, township, v1, v2) = try fed.smallCounty()
        try fed.ok(["simulate", "--days", "8", "--seed", "1"], node: v1)
        try fed.ok(["simulate", "--days", "8", "--seed", "2"], node: v2)
        try fed.waitForConvergence(root: county, nodes: [county, township, v1, v2])
        let before = try fed.ownCounts(v1)

        // Revoked: refused at once on its open connection; its past rows stay and count.
        try fed.ok(["revoke", "--id", v1], node: township)
        let refusal = "refused \(v1)", backOff = "the parent refused this node; trying again in 60 s"
        try fed.waitUntil("the township refuses the revoked village, which backs off", timeout: 20) {
            try fed.log(township).contains(refusal) && fed.log(v1).contains(backOff)
                && (try fed.json(["status"], node: v1)["parent"] as? [String: Any])?["state"] as? String == "refused"
        }
        // Told once, not on every message: over the next seconds neither side says it again.
        func count(_ text: String, in log: String) -> Int { log.components(separatedBy: text).count - 1 }
        let watchUntil = Date().addingTimeInterval(5)
        while Date() < watchUntil {
            XCTAssertEqual(count(refusal, in: fed.log(township)), 1, "the township logs a refusal once a minute at most")
            XCTAssertEqual(count(backOff, in: fed.log(v1)), 1, "the village backs off instead of retrying at once")
            usleep(500_000)   // sampling the logs over a fixed window; nothing waits on this
        }
        XCTAssertTrue(try fed.ok(["status"], node: v1).contains("refused"), "sanji status at the village says why")
        try fed.ok(["simulate", "--days", "8", "--seed", "3"], node: v1)   // work done while revoked
        try fed.ok(["simulate", "--days", "3", "--seed", "4"], node: v2)
        try fed.waitUntil("the revocation and the honest village's work reach the county", timeout: 30) {
            let d = try fed.json(Federation.wholeTime + ["--by", "node"], node: county)
            let total = d["total"] as? [String: Any] ?? [:]
            let rows = (d["breakdown"] as? [String: Any])?["rows"] as? [[String: Any]] ?? []
            let v1Row = rows.first { $0["key"] as? String == v1 }
            let v2Row = rows.first { $0["key"] as? String == v2 }
            let v2Own = try fed.ownCounts(v2)["accepted"]
            return total["nodes"] as? Int == 3 && v1Row?["accepted"] as? Int == before["accepted"] && v2Row?["accepted"] as? Int == v2Own
        }
        XCTAssertGreaterThan(try fed.ownCounts(v1)["accepted"] ?? 0, before["accepted"] ?? 0, "the village kept working while revoked")

        // A new key, enrolled at the township: the link comes back and the backlog arrives.
        let rotated = try fed.ok(["keys", "rotate"], node: v1)
        let newKey = try fed.publicKey(of: v1)
        XCTAssertTrue(rotated.contains(newKey))
        fed.stop(v1, hard: false)
        try fed.start(v1)
        try fed.ok(["enroll", "--id", v1, "--key=" + newKey], node: township)
        try fed.waitForConvergence(root: county, nodes: [county, township, v1, v2])
    }
}
