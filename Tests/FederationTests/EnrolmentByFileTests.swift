import Foundation
import SanjiTestSupport
import XCTest

/// A clerk enrols a village by exchanging two files, typing no key: `join-request` at the
/// village, `enroll FILE.join` at the county, `init --welcome` back at the village; then the
/// village links up, and its rows reach the county.
final class EnrolmentByFileTests: XCTestCase {
    func testAVillageEnrolledByTwoFiles_linksUpAndReports() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        let county = "340321", village = "340321100201"
        try fed.add(county, level: "county")
        try fed.start(county)
        _ = try fed.endpoint(of: county)   // bound: the welcome names the port it took

        let dir = fed.root.appendingPathComponent(village)
        let join = fed.root.appendingPathComponent("\(village).join").path
        try fed.ok(["join-request", "--id", village, "--name", "某村代办站", "--level", "village", "--out", join, "--data", dir.path])
        let secret = try String(contentsOf: dir.appendingPathComponent("keys/node.key"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(try String(contentsOfFile: join, encoding: .utf8).contains(secret), "the request holds no secret")

        // At the county: the welcome is written beside the request.
        let enrolled = try fed.ok(["enroll", join], node: county)
        XCTAssertTrue(enrolled.contains("enrolled village node \(village) (某村代办站) under \(county)"), enrolled)
        let welcome = fed.root.appendingPathComponent("\(village).welcome").path
        let welcomeText = try String(contentsOfFile: welcome, encoding: .utf8)
        XCTAssertTrue(welcomeText.contains("parent-key: \(try fed.publicKey(of: county))"), welcomeText)
        XCTAssertFalse(welcomeText.contains(secret))

        // A welcome for other keys is refused, and changes nothing.
        let stranger = fed.root.appendingPathComponent("stranger")
        try fed.ok(["join-request", "--id", "340321100202", "--name", "别村", "--level", "village", "--out", fed.root.appendingPathComponent("s.join").path,
                    "--data", stranger.path])
        let refused = try fed.sanji(["init", "--welcome", welcome, "--data", stranger.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("is for 340321100201") || refused.stderr.contains("welcomes the key"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stranger.appendingPathComponent("sanji.sqlite").path))

        try fed.ok(["init", "--welcome", welcome, "--data", dir.path])
        fed.register(village, level: "village", dir: dir)
        try fed.start(village)
        try fed.waitUntil("the village's link is up", timeout: 30) {
            (try fed.json(["status"], node: village)["parent"] as? [String: Any])?["state"] as? String == "up"
        }
        try fed.waitUntil("the county has the village's own report", timeout: 30) {
            let children = try fed.json(["status"], node: county)["children"] as? [[String: Any]] ?? []
            return children.contains { $0["id"] as? String == village && ($0["cursor"] as? Int ?? 0) > 0 }
        }
    }
}
