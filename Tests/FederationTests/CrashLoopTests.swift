import Foundation
import SanjiFixtures
import SanjiSpawn
import SanjiTestSupport
@_spi(Testing) import SanjiStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL at random points: a clerk's import (before, during or after its commit) and, in the
/// same round, a random serve process mid-stream. Afterwards the interrupted imports are run
/// again (they are idempotent), the county's totals are exact and every store is intact.
final class CrashLoopTests: XCTestCase {
    func testRandomKillsDuringImportsAndSync_loseAndDoubleNothing() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, township, v1, v2) = try fed.smallCounty()
        var rng = SeededRandom(seed: TestSeed.seed(UInt64(Date().timeIntervalSince1970), for: "CrashLoopTests"))
        var runs: [(village: String, seed: Int)] = []
        var killedImports = 0
        for round in 0..<8 {
            let village = [v1, v2][round % 2]
            let seed = 200 + round
            runs.append((village, seed))
            // A clerk's import, killed at a random moment.
            let pid = try Spawn.start(CommandRunner.sanjiBinary.path,
                                      ["simulate", "--days", "365", "--cases-per-day", "60", "--seed", String(seed), "--data", fed.nodes[village]!.dir.path],
                                      Spawn.Options(stdout: .null, stderr: .null))
            // Not synchronisation: choosing where in the import the kill lands.
            usleep(UInt32.random(in: 0...700_000, using: &rng))
            if Spawn.poll(pid) == nil { killedImports += 1 }
            kill(pid, SIGKILL)
            Spawn.wait(pid)
            // And a serve process, mid-stream.
            let victim = [village, township, county, village][Int.random(in: 0..<4, using: &rng)]
            fed.stop(victim, hard: true)
            try fed.start(victim)
        }
        // Every interrupted import again, to completion: idempotent, so what committed is unchanged.
        for (village, seed) in runs {
            try fed.ok(["simulate", "--days", "365", "--cases-per-day", "60", "--seed", String(seed)], node: village)
        }
        try fed.waitForConvergence(root: county, nodes: [county, township, v1, v2], timeout: 120)
        for id in [county, township, v1, v2] {
            let check = try RawDatabase(path: fed.dbPath(id)).text("PRAGMA integrity_check")
            XCTAssertEqual(check, "ok", id)
        }
        // The summary rows of every village still equal what its raw tables say.
        for v in [v1, v2] {
            let db = try RawDatabase(path: fed.dbPath(v))
            let summed = try db.int("SELECT sum(accepted) FROM summary WHERE origin = ?", [.text(v)])
            let cases = try db.int("SELECT count(*) FROM cases")
            XCTAssertEqual(summed, cases, v)
        }
        print("crash loop: 8 rounds, \(killedImports) imports killed mid-run, 8 serve processes killed")
        XCTAssertGreaterThanOrEqual(killedImports, 3, "most kills should land inside an import; make the imports bigger if not")
    }
}
