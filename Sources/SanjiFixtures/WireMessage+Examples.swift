import SanjiBus
import SanjiCore

extension WireMessage {
    private static var exampleCounters: SummaryCounters {
        var c = SummaryCounters()
        c.accepted = 12
        c.acceptedOnline = 5
        c.completed = 10
        c.visits = 7
        c.due = 9
        c.dueMet = 8
        c.gradeVeryDissatisfied = 1
        c.modeMail = 2
        c.modeAppointment = 1
        c.consultations = 30
        return c
    }

    /// One valid instance of every message, in command order: for tests, and as the fuzzer's seeds.
    public static let examples: [WireMessage] = [
        .hello(.init(nodeId: "340321100201", name: "某村代办站", level: "village", software: "0.3.0", catalogSeq: 7, rev: 12_345,
                     incarnation: "9f3c2a71d04be6a8", lineage: ["03aa9e1c77b2d410"])),
        .welcome(.init(parentId: "340321100", cursor: 99, catalogSeq: 7, heartbeatMs: 1000)),
        .rows(SyncBatch(fromRev: 10, toRev: 20, summary: [
            SummaryRowState(origin: "340321100201", key: SummaryKey(day: Day("2026-11-02")!, item: "11340321MB1234567X4000117001"), originRev: 15, counters: exampleCounters),
        ], nodes: [
            .enrolment(NodeEnrolment(subject: "340321100201", originRev: 3, parent: "340321100", level: .village, name: "某村", enrolledAt: 1_790_000_000, revoked: false,
                                     copyConflict: "77e1b0c3a9d2f654")),
            .status(NodeStatus(subject: "340321100201", originRev: 18, name: "某村", level: .village, software: "0.3.0", catalogSeq: 7,
                               openCases: 3, overdueCases: 1, backlog: 42, clockSkew: -3600, lastActivity: 1_790_000_100, asOf: 1_790_000_200)),
        ], exceptions: [
            ExceptionRowState(originRev: 16, record: .overdueCase(OverdueCase(
                origin: "340321100201", caseNo: "2026110001", item: "11340321MB1234567X4000117001", department: "县民政局",
                acceptedDay: Day("2026-11-02")!, deadline: Day("2026-11-09")!, completedDay: nil, window: "3"))),
            ExceptionRowState(originRev: 17, record: .badReview(BadReview(
                origin: "340321100201", evalId: "2026110001-P", item: "11340321MB1234567X4000117001", grade: .veryDissatisfied, channel: .device,
                day: Day("2026-11-03")!, named: true, rectifiedDay: Day("2026-11-05")!, revisitedDay: Day("2026-11-06")!, revisitGrade: .satisfied,
                appeal: .rejected, appealDay: Day("2026-11-04")!))),
        ], seals: [MonthSeal(origin: "340321100201", month: "2026-10", floor: 12, originRev: 19)], units: [
            UnitRowState(origin: "340321100201", key: UnitKey(day: Day("2026-11-02")!, kind: .window, unit: "1"), originRev: 14, counters: exampleCounters),
            UnitRowState(origin: "340321100201", key: UnitKey(day: Day("2026-11-02")!, kind: .staff, unit: "0107"), originRev: 13, counters: exampleCounters),
        ])),
        .ack(toRev: 20, cursor: 20, refused: 1),
        .catalog(CatalogDelta(catalogSeq: 9, items: [
            (CatalogItem(code: "SB001", name: "城乡居民养老保险参保登记", type: .publicService, department: "县人社局", levels: [.county, .village],
                         legalDays: nil, promisedDays: 0, onlineDepth: 4, maxVisits: 0), 8),
            (CatalogItem(code: "XK001", name: "食品经营许可", type: .license, department: "县市场监管局", levels: [.county],
                         legalDays: 20, promisedDays: 5, onlineDepth: 3, maxVisits: 1, withdrawn: true), 9),
        ], days: [.init(day: Day("2026-10-01")!, kind: .holiday, seq: 2)], settings: [.init(key: "rectify_days", value: "10", seq: 9)])),
        .heartbeat(catalogSeq: 9, time: 1_790_000_000),
        .error(code: 403, reason: "summary rows of 340321101201: not in your subtree"),
        .verify(request: 0x7FFF_0000_1234),
        .digest(request: 0x7FFF_0000_1234, origin: "340321100201", months: [
            MonthDigest(month: "2026-10", rows: 31, digest: 0x1234_5678_9ABC, maxOriginRev: 99),
            MonthDigest(month: "2026-11", rows: 2, digest: 7, maxOriginRev: 120),
        ]),
        .heal(origin: "340321100201", months: ["2026-10", "2026-11"], seal: true),
    ]
}
