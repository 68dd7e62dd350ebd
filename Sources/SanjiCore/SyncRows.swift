/// The rows that travel between nodes (docs/protocol.md): whole states, never deltas, each
/// with the rev it has at its origin, so that the highest origin rev wins and replays change nothing.
public struct SummaryRowState: Hashable, Sendable {
    public var origin: String
    public var key: SummaryKey
    public var originRev: UInt64
    public var counters: SummaryCounters

    public init(origin: String, key: SummaryKey, originRev: UInt64, counters: SummaryCounters) {
        self.origin = origin
        self.key = key
        self.originRev = originRev
        self.counters = counters
    }
}

/// A node's enrolment, authored by the parent that enrolled it.
public struct NodeEnrolment: Hashable, Sendable {
    public var subject: String
    public var originRev: UInt64
    public var parent: String
    public var level: Level
    public var name: String
    public var enrolledAt: Int64
    public var revoked: Bool
    /// A second copy of the node that its parent refuses (two PCs running one station), by its
    /// incarnation id; empty when there is none. Told upward so that the root sees it.
    public var copyConflict: String

    public init(subject: String, originRev: UInt64, parent: String, level: Level, name: String, enrolledAt: Int64, revoked: Bool,
                copyConflict: String = "") {
        self.subject = subject
        self.originRev = originRev
        self.parent = parent
        self.level = level
        self.name = name
        self.enrolledAt = enrolledAt
        self.revoked = revoked
        self.copyConflict = copyConflict
    }
}

/// A node's own report of itself.
public struct NodeStatus: Hashable, Sendable {
    public var subject: String
    public var originRev: UInt64
    public var name: String
    public var level: Level
    public var software: String
    public var catalogSeq: UInt64
    public var openCases: Int
    public var overdueCases: Int
    /// Rows the node had not yet had acknowledged by its parent when it wrote this status.
    public var backlog: Int
    /// Its clock minus its parent's, in seconds (rounded to the minute; 0 at the root or unknown).
    public var clockSkew: Int64
    public var lastActivity: Int64
    public var asOf: Int64

    public init(subject: String, originRev: UInt64, name: String, level: Level, software: String, catalogSeq: UInt64,
                openCases: Int, overdueCases: Int, backlog: Int = 0, clockSkew: Int64 = 0, lastActivity: Int64, asOf: Int64) {
        self.clockSkew = clockSkew
        self.subject = subject
        self.originRev = originRev
        self.name = name
        self.level = level
        self.software = software
        self.catalogSeq = catalogSeq
        self.openCases = openCases
        self.overdueCases = overdueCases
        self.backlog = backlog
        self.lastActivity = lastActivity
        self.asOf = asOf
    }
}

public enum NodeRowState: Hashable, Sendable {
    case enrolment(NodeEnrolment)
    case status(NodeStatus)

    public var subject: String {
        switch self {
        case .enrolment(let e): e.subject
        case .status(let s): s.subject
        }
    }
}

/// "These are all of `origin`'s rows and exception records of `month`": a receiver drops any it
/// holds whose origin rev is below `floor` (the origin restamped all it has from `floor` on).
/// Sent when a station lost rows for good and the county is told to forget them
/// (`sanji verify --drop-extra`).
public struct MonthSeal: Hashable, Sendable {
    public var origin: String
    public var month: String
    public var floor: UInt64
    public var originRev: UInt64

    public init(origin: String, month: String, floor: UInt64, originRev: UInt64) {
        self.origin = origin
        self.month = month
        self.floor = floor
        self.originRev = originRev
    }
}

/// Every row whose rev at the sender is in `(fromRev, toRev]`.
public struct SyncBatch: Hashable, Sendable {
    public var fromRev: UInt64
    public var toRev: UInt64
    public var summary: [SummaryRowState]
    public var nodes: [NodeRowState]
    public var exceptions: [ExceptionRowState]
    public var seals: [MonthSeal]
    /// Rows the decoder could read but not accept (an impossible day, a grade that is no 差评 …),
    /// each with its reason: refused one by one, while the rest of the batch is applied.
    public var malformed: [String]

    public init(fromRev: UInt64, toRev: UInt64, summary: [SummaryRowState], nodes: [NodeRowState], exceptions: [ExceptionRowState] = [],
                seals: [MonthSeal] = [], malformed: [String] = []) {
        self.fromRev = fromRev
        self.toRev = toRev
        self.summary = summary
        self.nodes = nodes
        self.exceptions = exceptions
        self.seals = seals
        self.malformed = malformed
    }

    public var rowCount: Int { summary.count + nodes.count + exceptions.count + seals.count + malformed.count }
}

/// Catalogue rows above a sequence, and the sequence the receiver holds once it applied them.
public struct CatalogDelta: Hashable, Sendable {
    public struct DayRow: Hashable, Sendable {
        public var day: Day
        public var kind: WorkCalendar.Kind
        public var seq: UInt64
        public init(day: Day, kind: WorkCalendar.Kind, seq: UInt64) {
            self.day = day
            self.kind = kind
            self.seq = seq
        }
    }

    public struct SettingRow: Hashable, Sendable {
        public var key: String
        public var value: String
        public var seq: UInt64
        public init(key: String, value: String, seq: UInt64) {
            self.key = key
            self.value = value
            self.seq = seq
        }
    }

    public var catalogSeq: UInt64
    public var items: [(item: CatalogItem, seq: UInt64)]
    public var days: [DayRow]
    public var settings: [SettingRow]

    public init(catalogSeq: UInt64, items: [(item: CatalogItem, seq: UInt64)], days: [DayRow], settings: [SettingRow]) {
        self.catalogSeq = catalogSeq
        self.items = items
        self.days = days
        self.settings = settings
    }

    public static func == (a: CatalogDelta, b: CatalogDelta) -> Bool {
        a.catalogSeq == b.catalogSeq && a.days == b.days && a.settings == b.settings
            && a.items.map(\.item) == b.items.map(\.item) && a.items.map(\.seq) == b.items.map(\.seq)
    }

    public func hash(into h: inout Hasher) {
        h.combine(catalogSeq)
        h.combine(items.count)
    }
}
