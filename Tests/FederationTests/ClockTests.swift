import Foundation
import XCTest

/// A station whose clock is wrong, for real: its `sanji serve` runs under libfaketime (preloaded,
/// no wrapper process), measures its skew from the parent's heartbeats, and the county flags it.
final class ClockTests: XCTestCase {
    static let libfaketime = ["x86_64", "aarch64"].map { "/usr/lib/\($0)-linux-gnu/faketime/libfaketimeMT.so.1" }
        .first { FileManager.default.fileExists(atPath: $0) }

    func testAStationAnHourAheadIsFlaggedAtTheCountyAndTheOthersAreNot() throws {
        guard let lib = Self.libfaketime else {
            throw XCTSkip("libfaketime is not installed: it sets this station's clock wrong (scripts/test.sh installs it; apt-get install libfaketime)")
        }
        let fed = try Federation()
        defer { fed.shutdown() }
        // Wall-clock time only: the monotonic clock (ZeroMQ's timers) stays true, as on a PC whose
        // clock was set wrong by hand. FAKETIME_SHARED is set so that libfaketime does not setenv()
        // it in its constructor, which moves `environ` and with it Swift's view of argv (the
        // process then sees no arguments at all).
        let faked = ["LD_PRELOAD": lib, "FAKETIME": "+1h", "DONT_FAKE_MONOTONIC": "1",
                     "FAKETIME_SHARED": "/sanji_no_faketime_sem /sanji_no_faketime_shm"]
        let (county, _, ahead, honest) = try fed.smallCounty(environment: ["340321100201": faked])

        try fed.waitUntil("the county flags the station an hour ahead", timeout: 60) {
            let attention = try fed.json(["dashboard"], node: county)["attention"] as? [String: Any] ?? [:]
            let skewed = attention["clock_skewed"] as? [[String: Any]] ?? []
            guard let entry = skewed.first(where: { $0["id"] as? String == ahead }) else { return false }
            let seconds = entry["clock_skew_seconds"] as? Int ?? 0
            XCTAssertTrue((3540...3660).contains(seconds), "skew \(seconds) s")
            XCTAssertFalse(skewed.contains { $0["id"] as? String == honest }, "the honest station is not flagged")
            return true
        }
        // And once flagged, it stays the only one.
        let status = try fed.json(["dashboard"], node: county)
        let nodes = (status["attention"] as? [String: Any])?["clock_skewed"] as? [[String: Any]] ?? []
        XCTAssertEqual(nodes.count, 1, "only one station is off: \(nodes)")
    }
}
