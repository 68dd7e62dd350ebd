import Foundation
import XCTest

/// A station whose clock is wrong, for real: its `sanji serve` runs under libfaketime (preloaded,
/// no wrapper process), measures its skew from the parent's heartbeats, and the county flags it.
final class ClockTests: XCTestCase {
    static let libfaketime = ["x86_64", "aarch64"].map { "/usr/lib/\($0)-linux-gnu/faketime/libfaketimeMT.so.1" }
        .first { FileManager.default.fileExists(atPath: $0) }

    func testAStationAnHourAheadIsFlaggedAtTheCountyAndTheOthersAreNot() throws {
        let lib = try XCTUnwrap(Self.libfaketime, "libfaketime is not installed (scripts/test.sh installs it)")
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, township, ahead, honest) = ("340321", "340321100", "340321100201", "340321100202")
        try fed.add(county, level: "county")
        try fed.ok(["catalog", "import", "nodes/huaiyuan/items.csv"], node: county)
        try fed.start(county)
        try fed.add(township, level: "township", parent: county)
        try fed.start(township)
        try fed.add(ahead, level: "village", parent: township, listens: false)
        try fed.add(honest, level: "village", parent: township, listens: false)
        // Wall-clock time only: the monotonic clock (ZeroMQ's timers) stays true, as on a PC whose
        // clock was set wrong by hand. FAKETIME_SHARED is set so that libfaketime does not setenv()
        // it in its constructor, which moves `environ` and with it Swift's view of argv (the
        // process then sees no arguments at all).
        try fed.start(ahead, environment: ["LD_PRELOAD": lib, "FAKETIME": "+1h", "DONT_FAKE_MONOTONIC": "1",
                                           "FAKETIME_SHARED": "/sanji_no_faketime_sem /sanji_no_faketime_shm"])
        try fed.start(honest)

        try fed.waitUntil("the county flags the station an hour ahead", timeout: 60) {
            let attention = try fed.json(["dashboard"], node: county)["attention"] as? [String: Any] ?? [:]
            let skewed = attention["clock_skewed"] as? [[String: Any]] ?? []
            guard let entry = skewed.first(where: { $0["id"] as? String == ahead }) else { return false }
            let seconds = entry["clock_skew_seconds"] as? Int ?? 0
            XCTAssertTrue((3540...3660).contains(seconds), "skew \(seconds) s")
            XCTAssertFalse(skewed.contains { $0["id"] as? String == honest }, "the honest station is not flagged")
            return true
        }
        // Its own status says so too, in the same words as the county's.
        let status = try fed.json(["dashboard"], node: county)
        let nodes = (status["attention"] as? [String: Any])?["clock_skewed"] as? [[String: Any]] ?? []
        XCTAssertEqual(nodes.count, 1, "only one station is off: \(nodes)")
    }
}
