import SanjiBus
import SanjiCore
import SanjiStore
import XCTest
@testable import SanjiNode

/// The parent's links to its children without sockets: admission, refusals, liveness,
/// heartbeats, catalogue pushes and acknowledgements.
final class DownlinkTests: XCTestCase {
    var options: RuntimeOptions {
        var o = RuntimeOptions()
        o.heartbeatMs = 1000
        o.livenessBeats = 5
        o.catalogResendMs = 5000
        return o
    }

    let route: [UInt8] = [1, 2, 3]

    func hello(_ id: String = "V", incarnation: String = "i1", catalogSeq: UInt64 = 0) -> WireMessage.Hello {
        .init(nodeId: id, name: "村", level: "village", software: "0.2.0", catalogSeq: catalogSeq, rev: 9, incarnation: incarnation, lineage: [])
    }

    /// A downlink with child V admitted on `route` at `now`.
    func admitted(now: Int64 = 0, catalogSeq: UInt64 = 0) -> Downlink {
        var d = Downlink(nodeId: "T", options: options)
        _ = d.received(.hello(hello(catalogSeq: catalogSeq)), from: "V", route: route, now: now)
        _ = d.decided(.accepted, "V", route: route, hello(catalogSeq: catalogSeq), cursor: 4, catalogSeq: catalogSeq, now: now)
        return d
    }

    func testNothingIsTakenFromAConnectionBeforeItsHello_andTheRefusalIsToldOnceInTwoSeconds() {
        var d = Downlink(nodeId: "T", options: options)
        let rows = SyncBatch(fromRev: 0, toRev: 1, summary: [], nodes: [])
        XCTAssertEqual(d.received(.rows(rows), from: "V", route: route, now: 0),
                       [.tell(route: route, code: 428, reason: "say HELLO first on this connection", legacyVersion: nil)])
        XCTAssertEqual(d.received(.rows(rows), from: "V", route: route, now: 1999), [], "told once, not on every message")
        XCTAssertEqual(d.received(.rows(rows), from: "V", route: route, now: 2000).count, 1)
    }

    func testAHello_isCheckedThenAdmittedByTheStore_andWelcomed() {
        var d = Downlink(nodeId: "T", options: options)
        XCTAssertEqual(d.received(.hello(hello()), from: "V", route: route, now: 0), [.admit(child: "V", route: route, hello(), otherCopySpeaking: false)])
        let welcomed = d.decided(.accepted, "V", route: route, hello(), cursor: 4, catalogSeq: 2, now: 0)
        XCTAssertEqual(welcomed, [.note(.hello(child: "V", cursor: 4, childRev: 9)),
                                  .send(route: route, .welcome(.init(parentId: "T", cursor: 4, catalogSeq: 2, heartbeatMs: 1000)))])
        XCTAssertEqual(d.connectedChildren, ["V"])
        let batch = SyncBatch(fromRev: 4, toRev: 6, summary: [], nodes: [])
        XCTAssertEqual(d.received(.rows(batch), from: "V", route: route, now: 10), [.commit(child: "V", batch)])
    }

    func testAHelloThatLiesAboutItsNodeOrLevel_isRefused() {
        var d = Downlink(nodeId: "T", options: options)
        let actions = d.received(.hello(hello("X")), from: "V", route: route, now: 0)
        XCTAssertEqual(actions.first, .tell(route: route, code: 400, reason: "HELLO names X, but this connection's key is enrolled for V", legacyVersion: nil))
        var noIncarnation = hello()
        noIncarnation.incarnation = ""
        XCTAssertEqual(d.received(.hello(noIncarnation), from: "V", route: [9], now: 10_000).first,
                       .tell(route: [9], code: 400, reason: "HELLO carries no incarnation (which copy of the store speaks)", legacyVersion: nil))
    }

    func testASecondCopySpeakingWhileTheFirstIs_isReportedToTheStore_andRefusedOnItsWord() {
        var d = admitted(now: 0)
        let other: [UInt8] = [7]
        XCTAssertEqual(d.received(.hello(hello(incarnation: "i2")), from: "V", route: other, now: 1000),
                       [.admit(child: "V", route: other, hello(incarnation: "i2"), otherCopySpeaking: true)])
        let refused = d.decided(.refused(current: "i1"), "V", route: other, hello(incarnation: "i2"), cursor: 4, catalogSeq: 0, now: 1000)
        guard case .tell(_, 423, _, _) = refused.first else { return XCTFail("\(refused)") }
        XCTAssertEqual(d.admitted[other], nil, "the refused copy's connection is not admitted")
        XCTAssertEqual(d.admitted[route], "V")
        // The first copy went quiet long ago: a new copy (a restore) is no longer "speaking at once".
        var later = admitted(now: 0)
        XCTAssertEqual(later.received(.hello(hello(incarnation: "i2")), from: "V", route: other, now: 6000),
                       [.admit(child: "V", route: other, hello(incarnation: "i2"), otherCopySpeaking: false)])
    }

    func testAQuietChild_getsHeartbeats_aSilentOneIsMarked_andWhenItSpeaksItIsBack() {
        var d = admitted(now: 0)
        XCTAssertEqual(d.tick(now: 1000, catalogSeq: 0), [.send(route: route, .heartbeat(catalogSeq: 0, time: 1))])
        XCTAssertEqual(d.tick(now: 1500, catalogSeq: 0), [])
        XCTAssertEqual(d.tick(now: 5001, catalogSeq: 0), [.note(.silent(child: "V"))])
        XCTAssertEqual(d.connectedChildren, [])
        XCTAssertEqual(d.tick(now: 7000, catalogSeq: 0), [], "no heartbeats to a silent child")
        XCTAssertEqual(d.received(.heartbeat(catalogSeq: 0, time: 7), from: "V", route: route, now: 7100), [.note(.back(child: "V"))])
    }

    /// A parent of thousands turns its loop hundreds of times a second: the pass over every child
    /// runs at most every tenth of a heartbeat, but a new catalogue sequence or a new child is
    /// seen on the next turn.
    func testTheTick_passesOverTheChildrenAtATenthOfAHeartbeat_butANewCatalogueOrChildAtOnce() {
        var d = admitted(now: 0, catalogSeq: 2)
        XCTAssertEqual(d.tick(now: 1000, catalogSeq: 2), [.send(route: route, .heartbeat(catalogSeq: 2, time: 1))])
        XCTAssertEqual(d.tick(now: 1050, catalogSeq: 3), [.sendCatalog(route: route, after: 2)], "a new sequence: at once")
        _ = d.received(.hello(hello("W", catalogSeq: 2)), from: "W", route: [9], now: 1060)
        _ = d.decided(.accepted, "W", route: [9], hello("W", catalogSeq: 2), cursor: 0, catalogSeq: 3, now: 1060)
        XCTAssertEqual(d.tick(now: 1061, catalogSeq: 3), [.sendCatalog(route: [9], after: 2)], "a new child: at once")
        XCTAssertEqual(d.tick(now: 4950, catalogSeq: 3), [.send(route: route, .heartbeat(catalogSeq: 3, time: 4)),
                                                          .send(route: [9], .heartbeat(catalogSeq: 3, time: 4))])
        XCTAssertEqual(d.tick(now: 5049, catalogSeq: 3), [], "V is silent since 5001, but 99 ms is within the grain")
        XCTAssertEqual(d.tick(now: 5050, catalogSeq: 3), [.note(.silent(child: "V"))], "seen within 100 ms")
    }

    func testANewerCatalogue_isPushed_andPushedAgainUntilTheChildsHeartbeatCarriesIt() {
        var d = admitted(now: 0, catalogSeq: 2)
        XCTAssertEqual(d.tick(now: 100, catalogSeq: 3).first, .sendCatalog(route: route, after: 2))
        XCTAssertFalse(d.tick(now: 4000, catalogSeq: 3).contains(.sendCatalog(route: route, after: 2)))
        _ = d.received(.heartbeat(catalogSeq: 2, time: 4), from: "V", route: route, now: 4500)
        XCTAssertTrue(d.tick(now: 5100, catalogSeq: 3).contains(.sendCatalog(route: route, after: 2)), "not applied yet: again after 5 s")
        _ = d.received(.heartbeat(catalogSeq: 3, time: 6), from: "V", route: route, now: 6000)
        XCTAssertFalse(d.tick(now: 20_000, catalogSeq: 3).contains { if case .sendCatalog = $0 { true } else { false } })
    }

    func testACommit_isAcknowledged_andRefusedRowsAreToldWithTheWiresCodes() {
        var d = admitted(now: 0)
        let batch = SyncBatch(fromRev: 4, toRev: 9, summary: [], nodes: [])
        let result = ApplyResult(cursor: 9, applied: 3, gap: false,
                                 refused: [RowRefusal(.notItsSubtree, "rows of X"), RowRefusal(.enrolledElsewhere, "Y under Z"), RowRefusal(.impossible, "completed > accepted")],
                                 refusedRows: 3)
        let actions = d.committed(batch, from: "V", result, now: 10)
        let codes = actions.compactMap { if case .send(_, .error(let code, _)) = $0 { code } else { nil } }
        XCTAssertEqual(codes, [403, 409, 400])
        XCTAssertEqual(actions.last, .send(route: route, .ack(toRev: 9, cursor: 9, refused: 3)))
        let gap = d.committed(SyncBatch(fromRev: 20, toRev: 30, summary: [], nodes: []), from: "V",
                              ApplyResult(cursor: 9, applied: 0, gap: true, refused: [], refusedRows: 0), now: 20)
        XCTAssertEqual(gap, [.note(.gap(child: "V", cursor: 9, from: 20)), .send(route: route, .ack(toRev: 30, cursor: 9, refused: 0))])
    }

    func testARevokedChild_isToldOnceAMinute_andCountsAsGone() {
        var d = admitted(now: 0)
        let told = d.refuse("V", route: route, .notEnrolled, now: 100)
        XCTAssertEqual(told.count, 2)
        XCTAssertEqual(d.connectedChildren, [])
        XCTAssertEqual(d.refuse("V", route: route, .notEnrolled, now: 59_000), [])
        XCTAssertEqual(d.refuse("V", route: route, .notEnrolled, now: 60_100).count, 2)
    }

    func testAnOlderChild_isToldInItsOwnProtocolsFrame() {
        var d = Downlink(nodeId: "T", options: options)
        let actions = d.refuse("V", route: route, .olderProtocol(description: "runs sanji 0.1.0 (SJP/1)", version: 1), now: 0)
        guard case .tell(_, 426, let reason, 1) = actions.first else { return XCTFail("\(actions)") }
        XCTAssertTrue(reason.contains("upgrade V"), reason)
    }

    func testVerifyQuestionsGoToConnectedChildrenOnly_andHealsFindTheirWay() {
        var d = admitted(now: 0)
        _ = d.received(.hello(hello("W")), from: "W", route: [5], now: 0)
        _ = d.decided(.accepted, "W", route: [5], hello("W"), cursor: 0, catalogSeq: 0, now: 0)
        _ = d.tick(now: 5001, catalogSeq: 0)   // both silent
        _ = d.received(.heartbeat(catalogSeq: 0, time: 5), from: "W", route: [5], now: 5100)
        XCTAssertEqual(d.ask(7, now: 5200), [.note(.asked(children: 1)), .send(route: [5], .verify(request: 7))])
        XCTAssertEqual(d.heal(origin: "V9", months: ["2026-10"], seal: false, through: "V", now: 5300), [.note(.cannotRoute(origin: "V9"))])
        XCTAssertEqual(d.heal(origin: "W9", months: ["2026-10"], seal: true, through: "W", now: 5300),
                       [.send(route: [5], .heal(origin: "W9", months: ["2026-10"], seal: true))])
        XCTAssertEqual(d.received(.digest(request: 7, origin: "W9", months: []), from: "W", route: [5], now: 5400),
                       [.digest(child: "W", request: 7, origin: "W9", months: [])])
    }

    func testMessagesOnlyAParentSends_areAnsweredWithAnError() {
        var d = admitted(now: 0)
        XCTAssertEqual(d.received(.verify(request: 1), from: "V", route: route, now: 10),
                       [.send(route: route, .error(code: 400, reason: "VERIFY is sent by a parent, not a child"))])
    }
}

/// Group commit and the schedule of periodic work.
final class RuntimeScheduleTests: XCTestCase {
    func testGroupCommit_keepsArrivalOrder_andSaysWhenItIsFull() {
        var g = GroupCommit(limit: 3)
        let row = SummaryRowState(origin: "V", key: SummaryKey(day: Day("2026-11-02")!, item: "A"), originRev: 1, counters: SummaryCounters())
        XCTAssertFalse(g.add(SyncBatch(fromRev: 0, toRev: 1, summary: [row], nodes: []), from: "V"))
        XCTAssertFalse(g.add(SyncBatch(fromRev: 0, toRev: 1, summary: [row], nodes: []), from: "W"))
        XCTAssertTrue(g.add(SyncBatch(fromRev: 1, toRev: 2, summary: [row], nodes: []), from: "V"), "three rows: commit now")
        XCTAssertEqual(g.take().map(\.child), ["V", "W", "V"])
        XCTAssertTrue(g.isEmpty)
        XCTAssertEqual(g.rows, 0)
    }

    func testEachJobRunsAtItsInterval_fromOneSchedule() {
        var o = RuntimeOptions()
        o.pollMs = 50
        o.statusCheckMs = 2000
        o.linksMs = 1000
        o.filesMs = 1000
        o.sweepMs = 60_000
        o.rollupMs = 10_000
        o.metricsMs = 15_000
        var s = Schedule(options: o, now: 0)
        XCTAssertEqual(s.jobs(at: 0), [.pollStore, .status, .sweep, .links, .files, .metrics], "everything but the rollups at once")
        XCTAssertEqual(s.jobs(at: 49), [])
        XCTAssertEqual(s.jobs(at: 50), [.pollStore])
        var counts: [Schedule.Job: Int] = [:]
        for t in stride(from: Int64(51), through: 20_000, by: 1) { for j in s.jobs(at: t) { counts[j, default: 0] += 1 } }
        XCTAssertEqual(counts[.pollStore], 399)
        XCTAssertEqual(counts[.status], 10)
        XCTAssertEqual(counts[.links], 20)
        XCTAssertEqual(counts[.rollups], 2)
        XCTAssertEqual(counts[.metrics], 1)
        XCTAssertNil(counts[.sweep])
    }

    func testAFailureKeepsItsLogQuiet_butCountsItsRepeats() {
        var f = FailureLog(every: 10_000)
        XCTAssertEqual(f.shouldLog("disk full", now: 0).log, true)
        XCTAssertEqual(f.shouldLog("disk full", now: 50).log, false)
        XCTAssertEqual(f.shouldLog("disk full", now: 100).log, false)
        let again = f.shouldLog("disk full", now: 10_000)
        XCTAssertEqual(again.log, true)
        XCTAssertEqual(again.repeats, 2)
        XCTAssertEqual(f.shouldLog("store busy", now: 10_001).log, true, "another cause is logged at once")
    }
}
