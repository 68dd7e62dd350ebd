import Foundation
import GRDB
import SanjiTestSupport
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
        var rng = SystemRandomNumberGenerator()
        var runs: [(village: String, seed: Int)] = []
        var killedImports = 0
        for round in 0..<8 {
            let village = [v1, v2][round % 2]
            let seed = 200 + round
            runs.append((village, seed))
            // A clerk's import, killed at a random moment.
            let p = Process()
            p.executableURL = CommandRunner.sanjiBinary
            p.arguments = ["simulate", "--days", "365", "--cases-per-day", "60", "--seed", String(seed), "--data", fed.nodes[village]!.dir.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Not synchronisation: choosing where in the import the kill lands.
            usleep(UInt32.random(in: 0...700_000, using: &rng))
            if p.isRunning { killedImports += 1 }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
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
            let check = try DatabaseQueue(path: fed.dbPath(id)).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
            XCTAssertEqual(check, "ok", id)
        }
        // The summary rows of every village still equal what its raw tables say.
        for v in [v1, v2] {
            let summed = try DatabaseQueue(path: fed.dbPath(v)).read { db in
                try Int.fetchOne(db, sql: "SELECT sum(accepted) FROM summary WHERE origin = ?", arguments: [v])
            }
            let cases = try DatabaseQueue(path: fed.dbPath(v)).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM cases") }
            XCTAssertEqual(summed, cases, v)
        }
        print("crash loop: 8 rounds, \(killedImports) imports killed mid-run, 8 serve processes killed")
        XCTAssertGreaterThanOrEqual(killedImports, 3, "most kills should land inside an import; make the imports bigger if not")
    }
}
