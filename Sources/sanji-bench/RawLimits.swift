import Foundation
import SanjiBus
import SanjiCore
@_spi(Testing) import SanjiStore

/// The physical limits each figure stands beside: what SQLite and ZeroMQ alone do with the same
/// rows and messages, through their C APIs, on the same machine in the same run.
enum RawLimits {
    /// The columns of Sanji's cases table, for the raw insert.
    struct CaseRow {
        var caseNo, item, channel, deadline: String
        var acceptedAt: Int64
        var completedAt: Int64?
        var outcome: String?
        var visits: Int64?
        var name, id: String
    }

    /// Reads back the rows of a generated cases.csv (untimed), so that the raw insert writes exactly them.
    static func parseCases(_ csv: String, zone: ZoneRule) -> [CaseRow] {
        var reader = CSVReader(bytes: Array(csv.utf8))
        _ = reader.next()
        var rows: [CaseRow] = []
        while let r = reader.next() {
            let f = r.fields
            let accepted = zone.parse(f[2])!
            rows.append(CaseRow(caseNo: f[0], item: f[1], channel: f[3], deadline: zone.day(of: accepted).description, acceptedAt: accepted.seconds,
                                completedAt: f[4].isEmpty ? nil : zone.parse(f[4])!.seconds, outcome: f[5].isEmpty ? nil : f[5],
                                visits: Int64(f[6]), name: f[8], id: f[9]))
        }
        return rows
    }

    /// Seconds to insert `rows` into a table of exactly the shape of Sanji's cases table (same
    /// key, same partial index): one transaction, one prepared statement, WAL, synchronous NORMAL.
    static func insertCases(_ rows: [CaseRow], path: String) throws -> Double {
        let db = try RawDatabase(path: path)
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = NORMAL")
        try db.execute("""
            CREATE TABLE cases (case_no TEXT PRIMARY KEY NOT NULL, item_code TEXT NOT NULL, accepted_at INTEGER NOT NULL,
              channel TEXT NOT NULL, assisted INTEGER NOT NULL, deadline TEXT NOT NULL, completed_at INTEGER, outcome TEXT,
              visits INTEGER, applicant_name TEXT, applicant_id TEXT) WITHOUT ROWID;
            CREATE INDEX cases_open ON cases (deadline) WHERE completed_at IS NULL;
            """)
        let insert = try db.prepare("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?)")
        let start = Bench.now()
        try db.transaction {
            for r in rows {
                insert.bind(1, r.caseNo)
                insert.bind(2, r.item)
                insert.bind(3, r.acceptedAt)
                insert.bind(4, r.channel)
                insert.bind(5, Int64(0))
                insert.bind(6, r.deadline)
                if let c = r.completedAt { insert.bind(7, c) } else { insert.bindNull(7) }
                if let o = r.outcome { insert.bind(8, o) } else { insert.bindNull(8) }
                if let v = r.visits { insert.bind(9, v) } else { insert.bindNull(9) }
                insert.bind(10, r.name)
                insert.bind(11, r.id)
                try insert.step()
            }
        }
        return Bench.now() - start
    }

    /// Summary-row upserts per second into a table of Sanji's shape (highest origin rev wins),
    /// 1,000 per transaction as the protocol commits them.
    static func upserts(rows: Int, path: String) throws -> Double {
        let db = try RawDatabase(path: path)
        let cols = SummaryCounters.columns
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = NORMAL")
        try db.execute("""
            CREATE TABLE summary (origin TEXT NOT NULL, day TEXT NOT NULL, item TEXT NOT NULL,
              \(cols.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")), origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL,
              PRIMARY KEY (origin, day, item)) WITHOUT ROWID;
            CREATE UNIQUE INDEX summary_rev ON summary (rev);
            """)
        let upsert = try db.prepare("""
            INSERT INTO summary (origin, day, item, \(cols.joined(separator: ", ")), origin_rev, rev)
            VALUES (?, ?, ?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?)
            ON CONFLICT (origin, day, item) DO UPDATE SET \(cols.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
              origin_rev = excluded.origin_rev, rev = excluded.rev WHERE excluded.origin_rev > summary.origin_rev
            """)
        let first = Day(year: 2024, month: 1, day: 1)!
        let days = (0...(rows / 500)).map { first.adding(days: $0).description }
        let items = (0..<500).map { "ITEM\($0)" }
        let start = Bench.now()
        var i = 0
        while i < rows {
            try db.transaction {
                for j in i..<min(i + 1000, rows) {
                    upsert.bind(1, "340321100")
                    upsert.bind(2, days[j / 500])
                    upsert.bind(3, items[j % 500])
                    for c in 0..<cols.count { upsert.bind(Int32(4 + c), Int64((c * 7 + j) % 50)) }
                    upsert.bind(Int32(4 + cols.count), Int64(j + 1))
                    upsert.bind(Int32(5 + cols.count), Int64(j + 1))
                    try upsert.step()
                }
            }
            i += 1000
        }
        return Double(rows) / (Bench.now() - start)
    }

    /// Milliseconds of `SELECT origin, sum(…) … GROUP BY origin` over a store's summary rows of `period`.
    static func sumByOrigin(store directory: URL, period: Period) throws -> Double {
        let db = try RawDatabase(store: directory, readOnly: true)
        let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
        let query = try db.prepare("SELECT origin, \(sums) FROM summary WHERE day BETWEEN ? AND ? GROUP BY origin")
        query.bind([.text(period.from.description), .text(period.to.description)])
        let start = Bench.now()
        _ = try query.run()
        return Bench.now() - start
    }

    /// Messages per second from a DEALER to a ROUTER over tcp loopback with CURVE, in two threads
    /// (the sender's is joined before this returns).
    static func zeroMQ(messages: Int) throws -> Double {
        let context = ZMQContext()
        let server = try CurveKeyPair.generate(), client = try CurveKeyPair.generate()
        let router = try ZMQSocket(context, .router)
        try router.set(ZMQOption.curveServer, Int32(1))
        try router.set(ZMQOption.curveSecretKey, server.secretKey)
        try router.set(ZMQOption.receiveHighWater, Int32(0))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = router.lastEndpoint
        // The sender keeps its socket open until the receiver has everything (closing drops what is queued).
        let received = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let sender = Thread {
            defer { finished.signal() }
            guard let dealer = try? ZMQSocket(context, .dealer) else { return }
            try? dealer.set(ZMQOption.curveServerKey, server.publicKey)
            try? dealer.set(ZMQOption.curvePublicKey, client.publicKey)
            try? dealer.set(ZMQOption.curveSecretKey, client.secretKey)
            try? dealer.set(ZMQOption.sendHighWater, Int32(0))
            try? dealer.connect(endpoint)
            let payload = [UInt8](repeating: 0x5A, count: 200)
            var sent = 0
            while sent < messages {
                if (try? dealer.send([payload])) == true { sent += 1 } else { usleep(50) }
            }
            received.wait()
            dealer.close()
        }
        sender.start()
        var count = 0
        var start: Double?
        while count < messages {
            _ = ZMQPoll.readable([router], timeoutMs: 100)
            while count < messages, try router.receive() != nil {
                if start == nil { start = Bench.now() }
                count += 1
            }
        }
        let rate = Double(messages - 1) / (Bench.now() - start!)
        received.signal()
        finished.wait()
        router.close()
        return rate
    }
}
