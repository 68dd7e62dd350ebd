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

    public init(subject: String, originRev: UInt64, parent: String, level: Level, name: String, enrolledAt: Int64, revoked: Bool) {
        self.subject = subject
        self.originRev = originRev
        self.parent = parent
        self.level = level
        self.name = name
        self.enrolledAt = enrolledAt
        self.revoked = revoked
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

/// Every row whose rev at the sender is in `(fromRev, toRev]`.
public struct SyncBatch: Hashable, Sendable {
    public var fromRev: UInt64
    public var toRev: UInt64
    public var summary: [SummaryRowState]
    public var nodes: [NodeRowState]
    public var exceptions: [ExceptionRowState]

    public init(fromRev: UInt64, toRev: UInt64, summary: [SummaryRowState], nodes: [NodeRowState], exceptions: [ExceptionRowState] = []) {
        self.fromRev = fromRev
        self.toRev = toRev
        self.summary = summary
        self.nodes = nodes
        self.exceptions = exceptions
    }

    public var rowCount: Int { summary.count + nodes.count + exceptions.count }
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
