import XCTest
@testable import SanjiNode

final class UplinkStateTests: XCTestCase {
    func testNothingIsSentBeforeWelcome_thenFromTheParentsCursor() {
        var u = UplinkState(window: 2, retransmitMs: 1000)
        XCTAssertNil(u.nextBatchStart(localRev: 50))
        u.welcome(cursor: 30)
        XCTAssertEqual(u.nextBatchStart(localRev: 50), 30)
        u.sent(from: 30, to: 40, nowMs: 0)
        XCTAssertEqual(u.nextBatchStart(localRev: 50), 40)
        u.sent(from: 40, to: 50, nowMs: 0)
        XCTAssertNil(u.nextBatchStart(localRev: 60), "the window is full")
        XCTAssertEqual(u.ack(toRev: 40, cursor: 40), .advanced)
        XCTAssertEqual(u.nextBatchStart(localRev: 60), 50)
        XCTAssertEqual(u.acked, 40)
    }

    func testACursorBelowTheOldestBatchInFlightRewinds() {
        var u = UplinkState(window: 4, retransmitMs: 1000)
        u.welcome(cursor: 0)
        u.sent(from: 0, to: 10, nowMs: 0)
        u.sent(from: 10, to: 20, nowMs: 0)
        u.sent(from: 20, to: 30, nowMs: 0)
        // The parent applied the first batch, lost the second, and got the third: a gap.
        XCTAssertEqual(u.ack(toRev: 10, cursor: 10), .advanced)
        XCTAssertEqual(u.inFlight.count, 2)
        XCTAssertEqual(u.ack(toRev: 30, cursor: 10), .rewound(to: 10), "(10, 20] never arrived")
        XCTAssertEqual(u.nextBatchStart(localRev: 30), 10)
        u.sent(from: 10, to: 30, nowMs: 5)
        XCTAssertEqual(u.ack(toRev: 20, cursor: 10), .stale, "an answer to a batch sent before the rewind")
        XCTAssertEqual(u.ack(toRev: 30, cursor: 30), .advanced)
        XCTAssertTrue(u.inFlight.isEmpty)
    }

    func testUnacknowledgedBatchesAreResentAfterTheTimeout() {
        var u = UplinkState(window: 4, retransmitMs: 1000)
        u.welcome(cursor: 5)
        u.sent(from: 5, to: 9, nowMs: 100)
        XCTAssertFalse(u.checkTimeout(nowMs: 1000))
        XCTAssertTrue(u.checkTimeout(nowMs: 1100))
        XCTAssertEqual(u.nextBatchStart(localRev: 9), 5)
    }

    func testAResetWaitsForTheNextWelcome() {
        var u = UplinkState()
        u.welcome(cursor: 3)
        u.sent(from: 3, to: 8, nowMs: 0)
        u.reset()
        XCTAssertNil(u.nextBatchStart(localRev: 20))
        XCTAssertEqual(u.ack(toRev: 8, cursor: 8), .stale)
        u.welcome(cursor: 8)
        XCTAssertEqual(u.nextBatchStart(localRev: 20), 8)
    }
}
