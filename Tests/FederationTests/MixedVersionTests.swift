import Foundation
import SanjiBus
import SanjiStore
import SanjiTestSupport
import XCTest

/// A county upgraded before its villages, and a village before its county (issue 12, finding 10):
/// sanji 0.1.0, built from this repository's history (releases.csv, scripts/build-release.sh),
/// against the current binary. The two cannot read each other's rows (SJP/1 and the current SJP/3), so the
/// newer side refuses with a message that names both versions; nothing is lost, and once both
/// run the same version everything arrives.
final class MixedVersionTests: XCTestCase {
    /// sanji 0.1.0: built once (test.sh starts the build early; the script waits for a build in progress).
    func oldRelease() throws -> URL {
        let r = try CommandRunner.run(URL(fileURLWithPath: "/bin/bash"), ["scripts/build-release.sh", "0.1.0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let path = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let binary = URL(fileURLWithPath: path)
        let version = try CommandRunner.run(binary, ["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(version, "0.1.0")
        return binary
    }

    /// A county and a village, both on 0.1.0, with the catalogue at the village and ten days of its
    /// work at the county: where every mixed-version story here starts.
    func oldCountyAndVillage(_ fed: Federation, _ old: URL) throws -> (county: String, village: String) {
        let county = "340321", village = "340321000201"
        func must(_ r: CommandRunner.Result) { XCTAssertEqual(r.status, 0, r.stderr) }
        let countyDir = fed.root.appendingPathComponent(county)
        must(try fed.run(old, ["init", "--id", county, "--name", "县", "--level", "county", "--listen", "tcp://127.0.0.1:*", "--data", countyDir.path]))
        must(try fed.run(old, ["catalog", "import", "nodes/huaiyuan/items.csv", "--data", countyDir.path]))
        fed.register(county, level: "county", dir: countyDir)
        try fed.start(county, binary: old)
        var endpoint = ""
        try fed.waitUntil("the old county has bound its endpoint", timeout: 20) {
            endpoint = try oldStatus(fed, old, county)["listen"] as? String ?? ""
            return !endpoint.isEmpty && !endpoint.hasSuffix(":*")
        }
        let countyKey = try fed.run(old, ["keys", "show"], node: county).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let villageDir = fed.root.appendingPathComponent(village)
        must(try fed.run(old, ["init", "--id", village, "--name", "村", "--level", "village", "--parent", endpoint, "--parent-key=" + countyKey, "--data", villageDir.path]))
        fed.register(village, level: "village", dir: villageDir)
        let villageKey = try fed.run(old, ["keys", "show"], node: village).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        must(try fed.run(old, ["enroll", "--id", village, "--level", "village", "--key=" + villageKey], node: county))
        try fed.start(village, binary: old)
        try fed.waitUntil("the old village holds the catalogue", timeout: 30) { try self.oldStatus(fed, old, village)["catalog_sequence"] as? Int == 1 }
        must(try fed.run(old, ["simulate", "--days", "10", "--seed", "31"], node: village))
        try fed.waitUntil("the old county has the village's first work", timeout: 30) {
            ((try self.oldStatus(fed, old, village)["parent"] as? [String: Any])?["backlog"] as? Int) == 0
        }
        return (county, village)
    }

    /// How this build names itself in a refusal: `this node runs sanji 0.3.0 (SJP/3)`.
    static let current = "this node runs sanji \(SanjiVersion.string) (SJP/\(WireMessage.version))"
    static let currentShort = "\(SanjiVersion.string) (SJP/\(WireMessage.version))"

    func oldStatus(_ fed: Federation, _ old: URL, _ node: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try fed.run(old, ["status", "--format", "json"], node: node).stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// A county upgraded before its villages: all on 0.1.0, with a catalogue and work synced; then
    /// the county runs the current binary, the village (still 0.1.0) is refused with both versions
    /// named and works on; then the village is upgraded, and everything arrives.
    func testAnOldVillageUnderANewCounty_isRefusedNamingBothVersions_andLosesNothing() throws {
        let old = try oldRelease()
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, village) = try oldCountyAndVillage(fed, old)
        // The county upgraded first: the village, still 0.1.0, is refused in a frame it can read.
        fed.stop(county, hard: false)
        try fed.start(county)
        try fed.waitUntil("the county refuses the old village, naming both versions", timeout: 30) {
            let log = fed.log(county)
            return log.contains("refused \(village)") && log.contains("sanji 0.1") && log.contains("SJP/1") && log.contains(Self.current)
        }
        try fed.waitUntil("the old village is told why", timeout: 30) { fed.log(village).contains(Self.currentShort) }
        XCTAssertEqual(try fed.run(old, ["simulate", "--days", "12", "--seed", "32"], node: village).status, 0)   // work while refused
        // The village upgraded: the same store, the current binary; everything arrives.
        fed.stop(village, hard: false)
        try fed.start(village)
        try fed.waitForConvergence(root: county, nodes: [county, village])
    }

    /// A village upgraded before its county: on 0.1.0 both, with a catalogue and work synced; then
    /// the village runs the current binary and is refused (naming both versions) while it works on;
    /// then the county is upgraded, and everything arrives.
    func testANewVillageUnderAnOldCounty_isRefusedNamingBothVersions_andLosesNothing() throws {
        let old = try oldRelease()
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, village) = try oldCountyAndVillage(fed, old)
        // The village upgraded first.
        fed.stop(village, hard: false)
        try fed.start(village)
        try fed.waitUntil("the village says its parent is older, naming both versions", timeout: 30) {
            let log = fed.log(village)
            return log.contains("the parent refused this node") && log.contains("SJP/1") && log.contains(Self.current)
                && log.contains("upgrade the parent first")
        }
        try fed.waitUntil("the village's status says it is refused", timeout: 10) { try fed.ok(["status"], node: village).contains("refused") }
        try fed.ok(["simulate", "--days", "12", "--seed", "34"], node: village)   // work while refused
        // The county upgraded: the same store, the current binary (its own rows recomputed by its migration).
        fed.stop(county, hard: false)
        try fed.start(county)
        fed.stop(village, hard: false)   // (it would try again within its back-off; restarting it is quicker)
        try fed.start(village)
        try fed.waitForConvergence(root: county, nodes: [county, village])
    }
}
