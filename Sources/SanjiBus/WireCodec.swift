import SanjiCore

/// Encodes and decodes SJP/3 frames. The decoder refuses anything it does not fully
/// understand, with a reason naming the field.
public enum WireCodec {
    /// Why a frame was refused: the ERROR code to answer with, and a reason naming the field.
    public struct DecodeError: Error, Equatable, CustomStringConvertible, Sendable {
        /// 400 malformed, 426 unsupported version.
        public let code: UInt16
        /// What is wrong, naming the field; sent as the ERROR's reason.
        public let reason: String
        /// The reason.
        public var description: String { reason }
    }

    /// How many u32 counters a summary row carries (docs/protocol.md, ROWS).
    public static let counterCount = SummaryCounters.columns.count

    // MARK: Encoding

    /// The frame of `m`: signature, version, command, then its body (docs/protocol.md, section 4).
    /// A number too large for its field is clamped; a string is cut at 65,535 bytes.
    public static func encode(_ m: WireMessage) -> [UInt8] {
        var w = Writer()
        w.bytes(WireMessage.signature)
        w.u8(WireMessage.version)
        w.u8(m.command)
        switch m {
        case .hello(let h):
            w.string(h.nodeId); w.string(h.name); w.string(h.level); w.string(h.software)
            w.u64(h.catalogSeq); w.u64(h.rev); w.string(h.incarnation); w.string(h.lineage.joined(separator: ","))
        case .welcome(let x):
            w.string(x.parentId); w.u64(x.cursor); w.u64(x.catalogSeq); w.u32(x.heartbeatMs)
        case .rows(let r):
            w.out.reserveCapacity(64 + r.summary.count * (8 + 3 * 2 + 40 + counterCount * 4) + r.nodes.count * 96)
            w.u64(r.fromRev); w.u64(r.toRev)
            w.u32(UInt32(r.summary.count))
            for s in r.summary {
                w.string(s.origin); w.day(s.key.day); w.string(s.key.item); w.u64(s.originRev)
                s.counters.forEachValue { w.u32(UInt32(clamping: $0)) }
            }
            w.u32(UInt32(r.nodes.count))
            for n in r.nodes {
                switch n {
                case .enrolment(let e):
                    w.u8(1); w.string(e.subject); w.u64(e.originRev); w.string(e.parent); w.string(e.level.rawValue); w.string(e.name)
                    w.i64(e.enrolledAt); w.u8(e.revoked ? 1 : 0); w.string(e.copyConflict)
                case .status(let s):
                    w.u8(2); w.string(s.subject); w.u64(s.originRev); w.string(s.name); w.string(s.level.rawValue); w.string(s.software)
                    w.u64(s.catalogSeq); w.u32(UInt32(clamping: s.openCases)); w.u32(UInt32(clamping: s.overdueCases)); w.u32(UInt32(clamping: s.backlog)); w.i64(s.clockSkew)
                    w.i64(s.lastActivity); w.i64(s.asOf)
                }
            }
            w.u32(UInt32(r.exceptions.count))
            for x in r.exceptions { w.exception(x) }
            w.u32(UInt32(r.seals.count))
            for x in r.seals { w.string(x.origin); w.string(x.month); w.u64(x.floor); w.u64(x.originRev) }
            w.u32(UInt32(r.units.count))
            for u in r.units {
                w.string(u.origin); w.u8(u.key.kind == .window ? 1 : 2); w.string(u.key.unit); w.day(u.key.day); w.u64(u.originRev)
                u.counters.forEachValue { w.u32(UInt32(clamping: $0)) }
            }
        case .ack(let toRev, let cursor, let refused):
            w.u64(toRev); w.u64(cursor); w.u32(refused)
        case .catalog(let c):
            w.u64(c.catalogSeq)
            w.u32(UInt32(c.items.count))
            for (i, seq) in c.items {
                w.string(i.code); w.string(i.name); w.string(i.type.rawValue); w.string(i.department); w.string(i.levelsText)
                w.i64(Int64(i.legalDays ?? -1)); w.u32(UInt32(clamping: i.promisedDays)); w.u8(UInt8(clamping: i.onlineDepth))
                w.u8(UInt8(clamping: i.maxVisits)); w.u8(i.withdrawn ? 1 : 0); w.u64(seq)
            }
            w.u32(UInt32(c.days.count))
            for d in c.days { w.day(d.day); w.string(d.kind.rawValue); w.u64(d.seq) }
            w.u32(UInt32(c.settings.count))
            for s in c.settings { w.string(s.key); w.string(s.value); w.u64(s.seq) }
        case .heartbeat(let seq, let time):
            w.u64(seq); w.i64(time)
        case .error(let code, let reason):
            w.u16(code); w.string(reason)
        case .verify(let request):
            w.u64(request)
        case .digest(let request, let origin, let months):
            w.u64(request); w.string(origin)
            w.u32(UInt32(months.count))
            for m in months { w.string(m.month); w.u32(UInt32(clamping: m.rows)); w.u64(m.digest); w.u64(m.maxOriginRev) }
        case .heal(let origin, let months, let seal):
            w.string(origin)
            w.u32(UInt32(months.count))
            for m in months { w.string(m) }
            w.u8(seal ? 1 : 0)
        }
        return w.out
    }

    // MARK: Decoding

    /// The message in `frame`, which must hold exactly one whole message of this protocol version.
    /// Throws ``DecodeError`` (426 for another version, else 400); a ROWS row that reads but cannot be goes to `malformed` instead.
    public static func decode(_ frame: [UInt8]) throws(DecodeError) -> WireMessage {
        var r = Reader(frame)
        guard frame.count >= 4 else { throw DecodeError(code: 400, reason: "frame of \(frame.count) bytes is shorter than the 4-byte header") }
        guard frame[0] == 0x53, frame[1] == 0x4A else { throw DecodeError(code: 400, reason: "bad signature (not an SJP frame)") }
        guard frame[2] == WireMessage.version else {
            throw DecodeError(code: 426, reason: "protocol version \(frame[2]) is not supported (this node speaks \(WireMessage.version))")
        }
        r.position = 4
        let message: WireMessage
        switch frame[3] {
        case 1:
            message = .hello(.init(nodeId: try r.string("node-id"), name: try r.string("name"), level: try r.string("level"),
                                   software: try r.string("software"), catalogSeq: try r.u64("catalog-seq"), rev: try r.u64("rev"),
                                   incarnation: try r.string("incarnation"),
                                   lineage: try r.string("lineage").split(separator: ",").map(String.init)))
        case 2:
            message = .welcome(.init(parentId: try r.string("parent-id"), cursor: try r.u64("cursor"), catalogSeq: try r.u64("catalog-seq"),
                                     heartbeatMs: try r.u32("heartbeat-ms")))
        case 3:
            let from = try r.u64("from-rev")
            let to = try r.u64("to-rev")
            guard from <= to else { throw DecodeError(code: 400, reason: "from-rev \(from) is above to-rev \(to)") }
            let sc = try r.count("summary-count", minBytes: 8 + 3 * 2 + counterCount * 4)
            var summary: [SummaryRowState] = []
            summary.reserveCapacity(sc)
            // A row that can be read but not accepted is refused on its own (docs/protocol.md,
            // section 6): the rest of the batch still counts.
            var malformed: [String] = []
            for _ in 0..<sc {
                let origin = try r.repeatedString("origin"), dayBytes = try r.span("day"), item = try r.string("item")
                let originRev = try r.u64("origin-rev")
                var counters: [Int] = []
                counters.reserveCapacity(counterCount)
                for _ in 0..<counterCount { counters.append(Int(try r.u32("counter"))) }
                guard let day = r.withBytes(dayBytes, { Day(utf8: $0) }) else {
                    malformed.append("summary row of \(origin): day \"\(String(decoding: r.data[dayBytes], as: UTF8.self))\" is not a YYYY-MM-DD date")
                    continue
                }
                summary.append(SummaryRowState(origin: origin, key: SummaryKey(day: day, item: item), originRev: originRev,
                                               counters: SummaryCounters(values: counters)))
            }
            let nc = try r.count("node-count", minBytes: 1 + 2 + 8)
            var nodes: [NodeRowState] = []
            for _ in 0..<nc {
                switch try r.u8("node-row kind") {
                case 1:
                    nodes.append(.enrolment(NodeEnrolment(
                        subject: try r.string("subject"), originRev: try r.u64("origin-rev"), parent: try r.string("parent"),
                        level: try r.level("level"), name: try r.string("name"), enrolledAt: try r.i64("enrolled-at"), revoked: try r.bool("revoked"),
                        copyConflict: try r.string("copy-conflict"))))
                case 2:
                    nodes.append(.status(NodeStatus(
                        subject: try r.string("subject"), originRev: try r.u64("origin-rev"), name: try r.string("name"),
                        level: try r.level("level"), software: try r.string("software"), catalogSeq: try r.u64("catalog-seq"),
                        openCases: Int(try r.u32("open-cases")), overdueCases: Int(try r.u32("overdue-cases")), backlog: Int(try r.u32("backlog")), clockSkew: try r.i64("clock-skew"),
                        lastActivity: try r.i64("last-activity"), asOf: try r.i64("as-of"))))
                case let k:
                    throw DecodeError(code: 400, reason: "node-row kind \(k) is unknown (1 enrolment, 2 status)")
                }
            }
            let xc = try r.count("exception-count", minBytes: 1 + 2 + 8 + 2)
            var exceptions: [ExceptionRowState] = []
            exceptions.reserveCapacity(xc)
            for _ in 0..<xc {
                switch try r.exception() {
                case .success(let x): exceptions.append(x)
                case .failure(let why): malformed.append(why.reason)
                }
            }
            let lc = try r.count("seal-count", minBytes: 2 + 2 + 8 + 8)
            var seals: [MonthSeal] = []
            for _ in 0..<lc {
                let origin = try r.string("origin"), month = try r.string("month"), floor = try r.u64("floor"), originRev = try r.u64("origin-rev")
                guard month.utf8.count == 7, Day(month + "-01") != nil else {
                    malformed.append("seal of \(origin): \"\(month)\" is not a YYYY-MM month")
                    continue
                }
                seals.append(MonthSeal(origin: origin, month: month, floor: floor, originRev: originRev))
            }
            let uc = try r.count("unit-count", minBytes: 2 + 1 + 2 + 2 + 8 + counterCount * 4)
            var units: [UnitRowState] = []
            units.reserveCapacity(uc)
            for _ in 0..<uc {
                let origin = try r.repeatedString("origin"), kindCode = try r.u8("unit kind"), unit = try r.string("unit"), dayText = try r.string("day")
                let originRev = try r.u64("origin-rev")
                var counters: [Int] = []
                counters.reserveCapacity(counterCount)
                for _ in 0..<counterCount { counters.append(Int(try r.u32("counter"))) }
                guard (1...2).contains(kindCode) else {
                    malformed.append("unit row of \(origin): kind \(kindCode) is not 1 (window) or 2 (staff)")
                    continue
                }
                guard let day = Day(dayText), !unit.isEmpty else {
                    malformed.append("unit row of \(origin): day \"\(dayText)\" is not a YYYY-MM-DD date, or the unit is empty")
                    continue
                }
                units.append(UnitRowState(origin: origin, key: UnitKey(day: day, kind: kindCode == 1 ? .window : .staff, unit: unit), originRev: originRev,
                                          counters: SummaryCounters(values: counters)))
            }
            message = .rows(SyncBatch(fromRev: from, toRev: to, summary: summary, nodes: nodes, exceptions: exceptions, seals: seals, units: units,
                                      malformed: malformed))
        case 4:
            message = .ack(toRev: try r.u64("to-rev"), cursor: try r.u64("cursor"), refused: try r.u32("refused"))
        case 5:
            let seq = try r.u64("catalog-seq")
            let ic = try r.count("item-count", minBytes: 5 * 2 + 8 + 4 + 3 + 8)
            var items: [(item: CatalogItem, seq: UInt64)] = []
            for _ in 0..<ic {
                let code = try r.string("code"), name = try r.string("name")
                let typeText = try r.string("type")
                guard let type = ItemType(rawValue: typeText) else { throw DecodeError(code: 400, reason: "type \"\(typeText)\" is not a GB/T 39046 code") }
                let department = try r.string("department")
                let levelsText = try r.string("levels")
                let levels = levelsText.split(separator: "|").map { Level(rawValue: String($0)) }
                guard !levels.isEmpty, !levels.contains(nil) else { throw DecodeError(code: 400, reason: "levels \"\(levelsText)\" is not a |-list of levels") }
                let legal = try r.i64("legal-days")
                guard legal >= -1, legal < 100_000 else { throw DecodeError(code: 400, reason: "legal-days \(legal) is out of range") }
                let promised = try r.u32("promised-days")
                let depth = try r.u8("online-depth")
                guard (1...4).contains(depth) else { throw DecodeError(code: 400, reason: "online-depth \(depth) is not 1…4") }
                let visits = try r.u8("max-visits"), withdrawn = try r.bool("withdrawn"), seq = try r.u64("seq")
                items.append((CatalogItem(code: code, name: name, type: type, department: department, levels: Set(levels.compactMap { $0 }),
                                          legalDays: legal < 0 ? nil : Int(legal), promisedDays: Int(promised), onlineDepth: Int(depth),
                                          maxVisits: Int(visits), withdrawn: withdrawn), seq))
            }
            let dc = try r.count("day-count", minBytes: 2 + 2 + 8)
            var days: [CatalogDelta.DayRow] = []
            for _ in 0..<dc {
                let day = try r.day("day")
                let kindText = try r.string("kind")
                guard let kind = WorkCalendar.Kind(rawValue: kindText) else { throw DecodeError(code: 400, reason: "kind \"\(kindText)\" is not holiday or workday") }
                days.append(.init(day: day, kind: kind, seq: try r.u64("seq")))
            }
            let stc = try r.count("setting-count", minBytes: 2 + 2 + 8)
            var settings: [CatalogDelta.SettingRow] = []
            for _ in 0..<stc { settings.append(.init(key: try r.string("key"), value: try r.string("value"), seq: try r.u64("seq"))) }
            message = .catalog(CatalogDelta(catalogSeq: seq, items: items, days: days, settings: settings))
        case 6:
            message = .heartbeat(catalogSeq: try r.u64("catalog-seq"), time: try r.i64("time"))
        case 7:
            message = .error(code: try r.u16("code"), reason: try r.string("reason"))
        case 8:
            message = .verify(request: try r.u64("request"))
        case 9:
            let request = try r.u64("request"), origin = try r.string("origin")
            let mc = try r.count("month-count", minBytes: 2 + 4 + 8 + 8)
            var months: [MonthDigest] = []
            for _ in 0..<mc {
                months.append(MonthDigest(month: try r.month("month"), rows: Int(try r.u32("rows")), digest: try r.u64("digest"),
                                          maxOriginRev: try r.u64("max-origin-rev")))
            }
            message = .digest(request: request, origin: origin, months: months)
        case 10:
            let origin = try r.string("origin")
            let mc = try r.count("month-count", minBytes: 2)
            var months: [String] = []
            for _ in 0..<mc { months.append(try r.month("month")) }
            message = .heal(origin: origin, months: months, seal: try r.bool("seal"))
        case let c:
            throw DecodeError(code: 400, reason: "command \(c) is unknown")
        }
        guard r.position == frame.count else {
            throw DecodeError(code: 400, reason: "\(frame.count - r.position) trailing bytes after a complete \(message.name)")
        }
        return message
    }

    /// Grades on the wire: 1 = 非常满意 … 5 = 非常不满意 (0: none, where a grade is optional).
    static func code(_ g: Grade?) -> UInt8 { g.map { UInt8($0.index + 1) } ?? 0 }

    static func code(_ a: AppealDecision?) -> UInt8 {
        switch a {
        case nil: 0
        case .upheld: 1
        case .rejected: 2
        }
    }

    struct Writer {
        var out: [UInt8] = []
        init() { out.reserveCapacity(256) }
        mutating func bytes(_ b: [UInt8]) { out.append(contentsOf: b) }
        mutating func u8(_ v: UInt8) { out.append(v) }
        mutating func u16(_ v: UInt16) { out.append(UInt8(v >> 8)); out.append(UInt8(truncatingIfNeeded: v)) }
        mutating func u32(_ v: UInt32) {
            withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
        }
        mutating func u64(_ v: UInt64) {
            withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
        }
        mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
        /// An optional day: `YYYY-MM-DD`, or the empty string for none.
        mutating func day(_ d: Day?) {
            guard let d else { return u16(0) }
            d.withISOBytes { b in
                u16(UInt16(b.count))
                out.append(contentsOf: b)
            }
        }
        mutating func exception(_ x: ExceptionRowState) {
            switch x.record {
            case .overdueCase(let c):
                u8(1); string(c.origin); u64(x.originRev); string(c.caseNo); string(c.item); string(c.department)
                day(c.acceptedDay); day(c.deadline); day(c.completedDay); string(c.window)
            case .badReview(let b):
                u8(2); string(b.origin); u64(x.originRev); string(b.evalId); string(b.item); u8(WireCodec.code(b.grade))
                string(b.channel.rawValue); day(b.day); u8(b.named ? 1 : 0); day(b.rectifiedDay); day(b.revisitedDay)
                u8(WireCodec.code(b.revisitGrade)); u8(WireCodec.code(b.appeal)); day(b.appealDay); string(b.window)
            }
        }
        /// A string field: its UTF-8 length, then its bytes. Over 65,535 bytes it is cut at the
        /// last whole character that fits, so that the field stays valid UTF-8.
        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { b in
                var n = min(b.count, Int(UInt16.max))
                while n < b.count, n > 0, b[n] & 0xC0 == 0x80 { n -= 1 }   // not inside a character
                u16(UInt16(n))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<n]))
            }
        }
    }

    struct Reader {
        let data: [UInt8]
        var position = 0
        init(_ data: [UInt8]) { self.data = data }

        mutating func need(_ n: Int, _ field: String) throws(DecodeError) {
            guard data.count - position >= n else {
                throw DecodeError(code: 400, reason: "\(field): frame ends after \(data.count) bytes, \(n) more needed")
            }
        }
        mutating func u8(_ f: String) throws(DecodeError) -> UInt8 { try need(1, f); defer { position += 1 }; return data[position] }
        mutating func u16(_ f: String) throws(DecodeError) -> UInt16 {
            try need(2, f)
            defer { position += 2 }
            return UInt16(data[position]) << 8 | UInt16(data[position + 1])
        }
        mutating func u32(_ f: String) throws(DecodeError) -> UInt32 {
            try need(4, f)
            var v: UInt32 = 0
            for i in 0..<4 { v = v << 8 | UInt32(data[position + i]) }
            position += 4
            return v
        }
        mutating func u64(_ f: String) throws(DecodeError) -> UInt64 {
            try need(8, f)
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(data[position + i]) }
            position += 8
            // Revs and sequences are at most 2^63 − 1 (section 3): a larger value is hostile or broken.
            guard v <= UInt64(Int64.max) else { throw DecodeError(code: 400, reason: "\(f): \(v) is above 2^63 − 1") }
            return v
        }
        mutating func i64(_ f: String) throws(DecodeError) -> Int64 {
            try need(8, f)
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(data[position + i]) }
            position += 8
            return Int64(bitPattern: v)
        }
        mutating func bool(_ f: String) throws(DecodeError) -> Bool {
            let v = try u8(f)
            guard v <= 1 else { throw DecodeError(code: 400, reason: "\(f): \(v) is not 0 or 1") }
            return v == 1
        }
        /// The bytes of a u16-length field, consumed.
        mutating func span(_ f: String) throws(DecodeError) -> Range<Int> {
            let n = Int(try u16(f))
            try need(n, f)
            defer { position += n }
            return position..<(position + n)
        }
        /// `body` over some bytes of the frame as a contiguous buffer (the generic slice path cost a
        /// third of a parent's time).
        func withBytes<T>(_ r: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
            data.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[r])) }
        }
        mutating func string(_ f: String) throws(DecodeError) -> String {
            let r = try span(f)
            guard let s = withBytes(r, { String(validating: $0, as: UTF8.self) }) else { throw DecodeError(code: 400, reason: "\(f): not UTF-8") }
            return s
        }
        private var lastRepeated: (bytes: Range<Int>, value: String)?

        /// A string that usually repeats the previous one read here (a batch's origins): equal bytes
        /// give the same String without validating and building it again.
        mutating func repeatedString(_ f: String) throws(DecodeError) -> String {
            let r = try span(f)
            if let last = lastRepeated, data[last.bytes].elementsEqual(data[r]) { return last.value }
            guard let s = withBytes(r, { String(validating: $0, as: UTF8.self) }) else { throw DecodeError(code: 400, reason: "\(f): not UTF-8") }
            lastRepeated = (r, s)
            return s
        }
        mutating func day(_ f: String) throws(DecodeError) -> Day {
            let r = try span(f)
            if let d = withBytes(r, { Day(utf8: $0) }) { return d }
            throw DecodeError(code: 400, reason: "\(f): \"\(String(decoding: data[r], as: UTF8.self))\" is not a YYYY-MM-DD date")
        }
        /// One exception row: a frame that cannot be read further throws; a row that reads but
        /// cannot be (a 差评 graded 满意, a day that does not exist) is a failure with the reason.
        mutating func exception() throws(DecodeError) -> Result<ExceptionRowState, Refusal> {
            switch try u8("exception-row kind") {
            case 1:
                let origin = try repeatedString("origin"), originRev = try u64("origin-rev"), caseNo = try string("case-no")
                let item = try string("item"), department = try string("department")
                let (accepted, deadline, completed) = (try string("accepted-day"), try string("deadline"), try string("completed-day"))
                let window = try string("window")
                let what = "overdue case \(caseNo) of \(origin)"
                guard let a = Day(accepted), let d = Day(deadline) else { return .failure(Refusal("\(what): accepted-day or deadline is not a YYYY-MM-DD date")) }
                let done = completed.isEmpty ? nil : Day(completed)
                guard completed.isEmpty || done != nil else { return .failure(Refusal("\(what): completed-day \"\(completed)\" is not a date")) }
                return .success(ExceptionRowState(originRev: originRev, record: .overdueCase(OverdueCase(
                    origin: origin, caseNo: caseNo, item: item, department: department, acceptedDay: a, deadline: d, completedDay: done, window: window))))
            case 2:
                let origin = try repeatedString("origin"), originRev = try u64("origin-rev"), evalId = try string("eval-id"), item = try string("item")
                let gradeCode = try u8("grade"), channelText = try string("channel"), dayText = try string("day"), named = try bool("named")
                let (rectifiedText, revisitedText) = (try string("rectified-day"), try string("revisited-day"))
                let (revisitCode, appealCode, appealDayText) = (try u8("revisit-grade"), try u8("appeal"), try string("appeal-day"))
                let window = try string("window")
                let what = "差评 \(evalId) of \(origin)"
                guard (4...5).contains(gradeCode) else { return .failure(Refusal("\(what): grade \(gradeCode) is not a 差评 (4 不满意 or 5 非常不满意)")) }
                guard let channel = EvalChannel(rawValue: channelText) else { return .failure(Refusal("\(what): channel \"\(channelText)\" is not an evaluation channel")) }
                guard let day = Day(dayText) else { return .failure(Refusal("\(what): day \"\(dayText)\" is not a YYYY-MM-DD date")) }
                func optionalDay(_ t: String) -> Day?? { t.isEmpty ? .some(nil) : Day(t).map { .some($0) } }
                guard let rectified = optionalDay(rectifiedText), let revisited = optionalDay(revisitedText), let appealDay = optionalDay(appealDayText) else {
                    return .failure(Refusal("\(what): a 整改, 回访 or appeal day is not a YYYY-MM-DD date"))
                }
                guard revisitCode <= 5 else { return .failure(Refusal("\(what): revisit-grade \(revisitCode) is not 0 or a grade 1…5")) }
                let appeal: AppealDecision? = switch appealCode {
                case 0: nil
                case 1: .upheld
                case 2: .rejected
                default: nil
                }
                guard appealCode <= 2 else { return .failure(Refusal("\(what): appeal \(appealCode) is not 0 (none), 1 (upheld) or 2 (rejected)")) }
                guard (appeal == nil) == (appealDay == nil) else { return .failure(Refusal("\(what): appeal-day is given with no appeal, or missing for one")) }
                return .success(ExceptionRowState(originRev: originRev, record: .badReview(BadReview(
                    origin: origin, evalId: evalId, item: item, grade: Grade.allCases[Int(gradeCode) - 1], channel: channel, day: day, named: named,
                    rectifiedDay: rectified, revisitedDay: revisited, revisitGrade: revisitCode == 0 ? nil : Grade.allCases[Int(revisitCode) - 1],
                    appeal: appeal, appealDay: appealDay, window: window))))
            case let k:
                throw DecodeError(code: 400, reason: "exception-row kind \(k) is unknown (1 overdue case, 2 bad review)")
            }
        }
        mutating func month(_ f: String) throws(DecodeError) -> String {
            let text = try string(f)
            guard text.utf8.count == 7, Day(text + "-01") != nil else { throw DecodeError(code: 400, reason: "\(f): \"\(text)\" is not a YYYY-MM month") }
            return text
        }
        mutating func level(_ f: String) throws(DecodeError) -> Level {
            let text = try string(f)
            guard let l = Level(rawValue: text) else { throw DecodeError(code: 400, reason: "\(f): \"\(text)\" is not a level") }
            return l
        }
        /// A count whose elements take at least `minBytes` each: refuses counts the frame cannot hold.
        mutating func count(_ f: String, minBytes: Int) throws(DecodeError) -> Int {
            let n = Int(try u32(f))
            guard n <= (data.count - position) / minBytes else {
                throw DecodeError(code: 400, reason: "\(f) \(n) cannot fit in the \(data.count - position) bytes left")
            }
            return n
        }
    }
}
