import SanjiBus
import SanjiCore
import SanjiStore
import XCTest
@testable import SanjiNode

/// The child's link to its parent without sockets: what it does on each tick and message.
final class ParentLinkTests: XCTestCase {
    var options: RuntimeOptions {
        var o = RuntimeOptions()
        o.heartbeatMs = 1000
        o.livenessBeats = 5
        o.helloRetryMs = 2000
        o.refusalBackoffMs = 60_000
        o.maxRefusalBackoffMs = 15 * 60_000
        return o
    }

    func welcome(cursor: UInt64 = 0, heartbeatMs: UInt32 = 1000) -> WireMessage {
        .welcome(.init(parentId: "P", cursor: cursor, catalogSeq: 3, heartbeatMs: heartbeatMs))
    }

    /// A link welcomed at `now` with the parent's cursor at `cursor`.
    func upLink(now: Int64 = 0, cursor: UInt64 = 0) -> ParentLink {
        var link = ParentLink(options: options, now: now)
        _ = link.start(now: now)
        _ = link.tick(now: now, localRev: 0)
        link.helloSent(now: now)
        _ = link.received(welcome(cursor: cursor), now: now)
        return link
    }

    func testHelloIsSaidOnEveryTickUntilOneGoesOut_thenEveryTwoSecondsUntilWelcomed() {
        var link = ParentLink(options: options, now: 0)
        XCTAssertEqual(link.start(now: 0), [.connect])
        XCTAssertTrue(link.tick(now: 0, localRev: 5).contains(.sayHello))
        XCTAssertTrue(link.tick(now: 50, localRev: 5).contains(.sayHello), "not sent yet (the handshake was not finished): again")
        link.helloSent(now: 100)
        XCTAssertFalse(link.tick(now: 150, localRev: 5).contains(.sayHello))
        XCTAssertFalse(link.tick(now: 2050, localRev: 5).contains(.sayHello))
        XCTAssertTrue(link.tick(now: 2100, localRev: 5).contains(.sayHello), "no answer in 2 s: HELLO again")
        XCTAssertEqual(link.state, .connecting)
    }

    func testWelcome_bringsTheLinkUp_andRowsFlowFromTheParentsCursor() {
        var link = ParentLink(options: options, now: 0)
        _ = link.start(now: 0)
        link.helloSent(now: 0)
        let actions = link.received(welcome(cursor: 40), now: 10)
        XCTAssertEqual(actions, [.rememberParent(id: "P"), .note(.linked(parentId: "P", cursor: 40))])
        XCTAssertEqual(link.phase, .up)
        XCTAssertEqual(link.state, .up)
        XCTAssertEqual(link.parentCatalogSeq, 3)
        XCTAssertEqual(link.tick(now: 20, localRev: 100).filter { if case .sendRows = $0 { true } else { false } }, [.sendRows(after: 40)])
        XCTAssertEqual(link.rowsSent(from: 40, to: 60, now: 20, localRev: 100), [.sendRows(after: 60)], "the window has room for more")
        XCTAssertEqual(link.received(welcome(cursor: 0), now: 30), [], "a late duplicate WELCOME does not reset the batches in flight")
        XCTAssertEqual(link.uplink.sentUpTo, 60)
    }

    func testAnAcknowledgementBelowWhatWasSent_rewindsAndSendsAgain() {
        var link = upLink()
        _ = link.rowsSent(from: 0, to: 10, now: 0, localRev: 30)
        _ = link.rowsSent(from: 10, to: 20, now: 0, localRev: 30)
        XCTAssertEqual(link.received(.ack(toRev: 20, cursor: 10, refused: 0), now: 5), [.note(.resendAsked(cursor: 10))])
        XCTAssertTrue(link.tick(now: 6, localRev: 30).contains(.sendRows(after: 10)))
    }

    func testNoAcknowledgementInTime_resendsFromTheCursor() {
        var link = upLink()
        _ = link.rowsSent(from: 0, to: 10, now: 0, localRev: 10)
        XCTAssertFalse(link.tick(now: 4000, localRev: 10).contains(.sendRows(after: 0)))
        link.helloSent(now: 4000)   // keep the heartbeat quiet; the parent is heard from below
        _ = link.received(.heartbeat(catalogSeq: 3, time: 4), now: 4500)
        let late = link.tick(now: 5000, localRev: 10)
        XCTAssertTrue(late.contains(.note(.resendAfterTimeout(cursor: 0))), "\(late)")
        XCTAssertTrue(late.contains(.sendRows(after: 0)))
    }

    func testASilentParent_isLeft_andReconnectsBackOffWhileItStaysSilent() {
        var link = upLink(now: 0)
        XCTAssertFalse(link.tick(now: 5000, localRev: 0).contains(.connect), "5 beats of silence are allowed")
        let gone = link.tick(now: 5001, localRev: 0)
        XCTAssertEqual(Array(gone.prefix(2)), [.note(.wentSilent), .connect])
        XCTAssertEqual(link.state, .down)
        XCTAssertEqual(link.phase, .helloing)
        // Still silent: the next reconnect after 1 beat, then 2, 4, 8, 16, 16 … (ticks every 10 ms).
        var reconnects: [Int64] = [5001]
        for t in stride(from: Int64(5011), through: 90_000, by: 10) where link.tick(now: t, localRev: 0).contains(.connect) { reconnects.append(t) }
        let beats = zip(reconnects.dropFirst(), reconnects).map { ($0 - $1) / 1000 }
        XCTAssertEqual(Array(beats.prefix(6)), [1, 2, 4, 8, 16, 16], "backoff doubles up to 16 beats: \(reconnects)")
    }

    func testTheParentsLongerHeartbeat_isWhatSilenceIsMeasuredBy() {
        var link = ParentLink(options: options, now: 0)
        _ = link.start(now: 0)
        link.helloSent(now: 0)
        _ = link.received(welcome(heartbeatMs: 3000), now: 0)
        XCTAssertFalse(link.tick(now: 14_000, localRev: 0).contains(.connect), "the parent beats every 3 s: 15 s of silence are allowed")
        XCTAssertTrue(link.tick(now: 15_001, localRev: 0).contains(.connect))
    }

    func testHeartbeats_goOutWhenTheLinkIsQuiet_andTheParentsClockGivesTheSkew() {
        var link = upLink(now: 0)
        XCTAssertTrue(link.tick(now: 1000, localRev: 0).contains(.sendHeartbeat))
        XCTAssertFalse(link.tick(now: 1500, localRev: 0).contains(.sendHeartbeat))
        _ = link.received(.heartbeat(catalogSeq: 9, time: 1), now: 3_601_000)
        XCTAssertEqual(link.clockSkew, 3600, "this node's clock is an hour ahead of its parent's")
        XCTAssertEqual(link.parentCatalogSeq, 9)
    }

    func testARefusal_closesTheLink_andTriesAgainAfterAMinuteThenLonger() {
        var link = upLink(now: 0)
        let refused = link.received(.error(code: 401, reason: "revoked"), now: 1000)
        XCTAssertEqual(refused, [.disconnect, .note(.refused(reason: "401 revoked", retryInSeconds: 60))])
        XCTAssertEqual(link.state, .refused)
        XCTAssertEqual(link.detail, "401 revoked")
        XCTAssertEqual(link.tick(now: 60_999, localRev: 9), [], "nothing happens while refused")
        XCTAssertEqual(link.received(.heartbeat(catalogSeq: 1, time: 1), now: 30_000), [], "nor on a stray message")
        XCTAssertEqual(link.tick(now: 61_000, localRev: 9), [.connect])
        link.helloSent(now: 61_000)
        XCTAssertEqual(link.received(.error(code: 423, reason: "another copy"), now: 62_000).last, .note(.refused(reason: "423 another copy", retryInSeconds: 120)))
        XCTAssertEqual(link.tick(now: 181_999, localRev: 9), [])
        XCTAssertEqual(link.tick(now: 182_000, localRev: 9), [.connect])
        // A WELCOME resets the backoff.
        link.helloSent(now: 182_000)
        _ = link.received(welcome(), now: 182_100)
        XCTAssertEqual(link.received(.error(code: 426, reason: "older"), now: 183_000).last, .note(.refused(reason: "426 older", retryInSeconds: 60)))
    }

    func testHelloFirst_makesTheLinkSayHelloAgain() {
        var link = upLink(now: 0)
        XCTAssertEqual(link.received(.error(code: 428, reason: "say HELLO first"), now: 100), [])
        XCTAssertEqual(link.phase, .helloing)
        XCTAssertTrue(link.tick(now: 150, localRev: 0).contains(.sayHello))
    }

    func testOtherErrors_areKeptAsTheDetail_andTheLinkStaysUp() {
        var link = upLink(now: 0)
        XCTAssertEqual(link.received(.error(code: 403, reason: "rows of X"), now: 10), [.note(.parentError(code: 403, reason: "rows of X"))])
        XCTAssertEqual(link.phase, .up)
        XCTAssertEqual(link.detail, "403 rows of X")
    }

    func testMessagesOnlyAChildSends_areAnsweredWithAnError() {
        var link = upLink(now: 0)
        XCTAssertEqual(link.received(.digest(request: 1, origin: "X", months: []), now: 10),
                       [.send(.error(code: 400, reason: "DIGEST is sent by a child, not a parent"))])
    }

    func testVerifyHealAndCatalogue_becomeWorkForTheShell() {
        var link = upLink(now: 0)
        XCTAssertEqual(link.received(.verify(request: 7), now: 10), [.answerVerify(request: 7)])
        XCTAssertEqual(link.received(.heal(origin: "V", months: ["2026-10"], seal: true), now: 10), [.heal(origin: "V", months: ["2026-10"], seal: true)])
        let delta = CatalogDelta(catalogSeq: 4, items: [], days: [], settings: [])
        XCTAssertEqual(link.received(.catalog(delta), now: 10), [.applyCatalog(delta)])
        XCTAssertEqual(link.catalogApplied(delta, now: 20), [.note(.catalogUpdated(sequence: 4, items: 0)), .sendHeartbeat])
    }

    func testARestartedCopy_saysHelloAgainAndWaitsForANewWelcome() {
        var link = upLink(now: 0, cursor: 50)
        link.restart()
        XCTAssertTrue(link.awaitsWelcome)
        XCTAssertTrue(link.tick(now: 10, localRev: 60).contains(.sayHello))
        XCTAssertFalse(link.tick(now: 10, localRev: 60).contains { if case .sendRows = $0 { true } else { false } }, "no rows before the new WELCOME")
    }

    func testAnOlderParent_isWaitedFor() {
        var link = upLink(now: 0)
        let actions = link.otherProtocol("runs an older sanji (SJP/1)", now: 5)
        XCTAssertEqual(actions.first, .disconnect)
        XCTAssertEqual(link.state, .refused)
        XCTAssertTrue(link.detail?.contains("upgrade the parent first") == true)
    }
}
