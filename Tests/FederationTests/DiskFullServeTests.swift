import Foundation
import SanjiTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A county whose disk fills up while a village keeps sending: nothing is acknowledged that was
/// not committed, the village keeps its backlog, and everything arrives once there is space.
/// The county's `sanji serve` runs in its own mount namespace with a 16 MiB tmpfs over its data
/// directory; the test reaches that store with nsenter.
final class DiskFullServeTests: XCTestCase {
    func testACountyWithAFullDiskAcknowledgesNothingAndCatchesUpWhenSpaceReturns() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/nsenter") else {
            throw XCTSkip("needs root (a tmpfs in a mount namespace, entered with nsenter)")
        }
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, village) = ("340321", "340321000201")
        try fed.add(county, level: "county")
        try fed.ok(["catalog", "import", "nodes/huaiyuan/items.csv"], node: county)
        try fed.start(county)                       // once on the real disk, to bind its port
        try fed.add(village, level: "village", parent: county, listens: false)
        fed.stop(county, hard: false)

        // The same store, on a small tmpfs mounted over the data directory in a private namespace.
        let dir = fed.nodes[county]!.dir.path
        let overlay = """
            cp -a "$0" "$0.copy" && mount -t tmpfs -o size=16m tmpfs "$0" && cp -a "$0.copy/." "$0/" && rm -rf "$0.copy" && exec "$@"
            """
        try fed.start(county, wrapper: ["/usr/bin/unshare", "-m", "sh", "-c", overlay, dir])
        let pid = try XCTUnwrap(fed.nodes[county]?.pid)
        func inCounty(_ command: [String]) throws -> CommandRunner.Result {
            try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/nsenter"), ["-t", "\(pid)", "-m"] + command)
        }
        func countyAccepted() throws -> Int? {
            let r = try inCounty([Federation.binary.path] + Federation.wholeTime + ["--format", "json", "--data", dir])
            let total = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["total"] as? [String: Any]
            return total?["accepted"] as? Int
        }
        try fed.start(village)
        try fed.waitUntil("the village holds the catalogue", timeout: 30) { try fed.json(["status"], node: village)["catalog_sequence"] as? Int == 1 }
        try fed.ok(["simulate", "--days", "10", "--seed", "1"], node: village)
        try fed.waitUntil("the county (on its tmpfs) holds the village's first days", timeout: 60) {
            try countyAccepted() == fed.ownCounts(village)["accepted"]
        }
        let before = try XCTUnwrap(try countyAccepted())

        // Fill the county's disk, then the village records 60 more days.
        let fill = try inCounty(["sh", "-c", "dd if=/dev/zero of=\"$0/filler\" bs=64k 2>/dev/null; sync; df -k \"$0\" | tail -1", dir])
        XCTAssertTrue(fill.stdout.contains("100%"), "the disk is full: \(fill.stdout) \(fill.stderr)")
        try fed.ok(["simulate", "--days", "60", "--seed", "2"], node: village)
        try fed.waitUntil("the county says its disk is full", timeout: 30) {
            fed.log(county).contains("the disk is full; nothing was written")
        }
        // Not acknowledged: the village still holds its backlog, and the county's figures are as before.
        let status = try fed.json(["status"], node: village)
        let backlog = (status["parent"] as? [String: Any])?["backlog"] as? Int ?? 0
        XCTAssertGreaterThan(backlog, 0, "the village keeps what the county could not commit")
        XCTAssertEqual(try countyAccepted(), before)

        // Space again: everything arrives, exactly once, and the store is sound.
        let freed = try inCounty(["rm", "\(dir)/filler"])
        XCTAssertEqual(freed.status, 0, freed.stderr)
        let villageTotal = try XCTUnwrap(try fed.ownCounts(village)["accepted"])
        XCTAssertGreaterThan(villageTotal, before)
        try fed.waitUntil("the county catches up once there is space", timeout: 60) {
            try countyAccepted() == villageTotal
        }
        let check = try inCounty([Federation.binary.path, "verify", "--data", dir])
        XCTAssertEqual(check.status, 0, "the county's copy equals the village's rows: \(check.stdout)\(check.stderr)")
    }
}
