/// The rows that travel between nodes (docs/protocol.md): whole states, never deltas, each
/// with the rev it has at its origin, so that the highest origin rev wins and replays change nothing.
public struct SummaryRowState: Hashable, Sendable {
    /// The node whose case and evaluation counts these are.
    public var origin: String
    /// The day and item within that origin.
    public var key: SummaryKey
    /// The row's rev at its origin: the highest wins.
    public var originRev: UInt64
    /// The whole state of the row, never a delta.
    public var counters: SummaryCounters

    /// A summary row as it travels.
    public init(origin: String, key: SummaryKey, originRev: UInt64, counters: SummaryCounters) {
        self.origin = origin
        self.key = key
        self.originRev = originRev
        self.counters = counters
    }
}

/// A window's or staff member's summary row as it travels: like `SummaryRowState`, keyed by unit.
public struct UnitRowState: Hashable, Sendable {
    /// The station whose window or staff member it is.
    public var origin: String
    /// The day, kind and unit within that origin.
    public var key: UnitKey
    /// The row's rev at its origin: the highest wins.
    public var originRev: UInt64
    /// The whole state of the row.
    public var counters: SummaryCounters

    /// A unit row as it travels.
    public init(origin: String, key: UnitKey, originRev: UInt64, counters: SummaryCounters) {
        self.origin = origin
        self.key = key
        self.originRev = originRev
        self.counters = counters
    }
}

/// A node's enrolment, authored by the parent that enrolled it.
public struct NodeEnrolment: Hashable, Sendable {
    /// The node enrolled.
    public var subject: String
    /// The enrolment's rev at the parent that enrolled the subject.
    public var originRev: UInt64
    /// The node that enrolled it.
    public var parent: String
    /// Its level, below its parent's.
    public var level: Level
    /// Its name as enrolled.
    public var name: String
    /// When it was enrolled, in seconds since the epoch (UTC).
    public var enrolledAt: Int64
    /// Revoked by its parent: its past rows still count, its key no longer connects.
    public var revoked: Bool
    /// A second copy of the node that its parent refuses (two PCs running one station), by its
    /// incarnation id; empty when there is none. Told upward so that the root sees it.
    public var copyConflict: String

    /// An enrolment part as it travels.
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
    /// The node reporting.
    public var subject: String
    /// The status's rev at that node.
    public var originRev: UInt64
    /// Its name.
    public var name: String
    /// Its level.
    public var level: Level
    /// The sanji version it runs.
    public var software: String
    /// The catalogue sequence it holds.
    public var catalogSeq: UInt64
    /// Cases open at the station.
    public var openCases: Int
    /// Cases open past their deadline at the station.
    public var overdueCases: Int
    /// Rows the node had not yet had acknowledged by its parent when it wrote this status.
    public var backlog: Int
    /// Its clock minus its parent's, in seconds (rounded to the minute; 0 at the root or unknown).
    public var clockSkew: Int64
    /// When the station last did its own work, in seconds since the epoch; 0 when unknown.
    public var lastActivity: Int64
    /// When it wrote this status, in seconds since the epoch: how fresh it is.
    public var asOf: Int64

    /// A status part as it travels.
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

/// A node record as it travels: its enrolment part or its status part, each with its own rev.
public enum NodeRowState: Hashable, Sendable {
    case enrolment(NodeEnrolment)
    case status(NodeStatus)

    /// The node the part describes.
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
    /// The node whose rows are sealed.
    public var origin: String
    /// The month sealed, `YYYY-MM`.
    public var month: String
    /// The first rev of the restamped rows: those of the month below it are dropped.
    public var floor: UInt64
    /// The seal's rev at its origin.
    public var originRev: UInt64

    /// A seal as it travels.
    public init(origin: String, month: String, floor: UInt64, originRev: UInt64) {
        self.origin = origin
        self.month = month
        self.floor = floor
        self.originRev = originRev
    }
}

/// Every row whose rev at the sender is in `(fromRev, toRev]`.
public struct SyncBatch: Hashable, Sendable {
    /// The rev the batch starts after (excluded).
    public var fromRev: UInt64
    /// The last rev the batch covers (included).
    public var toRev: UInt64
    /// Summary rows, whole state.
    public var summary: [SummaryRowState]
    /// Enrolment and status parts, with the enrolments of every node the batch names.
    public var nodes: [NodeRowState]
    /// Overdue-case and 差评 records, whole state.
    public var exceptions: [ExceptionRowState]
    /// Month seals.
    public var seals: [MonthSeal]
    /// Window and staff rows, whole state.
    public var units: [UnitRowState]
    /// Rows the decoder could read but not accept (an impossible day, a grade that is no 差评 …),
    /// each with its reason: refused one by one, while the rest of the batch is applied.
    public var malformed: [String]

    /// A batch of the rows in `(fromRev, toRev]`.
    public init(fromRev: UInt64, toRev: UInt64, summary: [SummaryRowState], nodes: [NodeRowState], exceptions: [ExceptionRowState] = [],
                seals: [MonthSeal] = [], units: [UnitRowState] = [], malformed: [String] = []) {
        self.units = units
        self.fromRev = fromRev
        self.toRev = toRev
        self.summary = summary
        self.nodes = nodes
        self.exceptions = exceptions
        self.seals = seals
        self.malformed = malformed
    }

    /// Rows in the batch, the malformed ones included.
    public var rowCount: Int { summary.count + nodes.count + exceptions.count + seals.count + units.count + malformed.count }
}

/// Catalogue rows above a sequence, and the sequence the receiver holds once it applied them.
public struct CatalogDelta: Hashable, Sendable {
    /// A working-day calendar row: a day made a holiday or a workday.
    public struct DayRow: Hashable, Sendable {
        /// The day changed from its weekday default.
        public var day: Day
        /// `holiday` or `workday`.
        public var kind: WorkCalendar.Kind
        /// The catalogue sequence at which the row was written.
        public var seq: UInt64
        /// A calendar row as it travels.
        public init(day: Day, kind: WorkCalendar.Kind, seq: UInt64) {
            self.day = day
            self.kind = kind
            self.seq = seq
        }
    }

    /// A county setting (`rectify_days`, `rounding` …), as text.
    public struct SettingRow: Hashable, Sendable {
        /// The setting's name.
        public var key: String
        /// Its value as text; a receiver that cannot read it uses the default.
        public var value: String
        /// The catalogue sequence at which the row was written.
        public var seq: UInt64
        /// A setting row as it travels.
        public init(key: String, value: String, seq: UInt64) {
            self.key = key
            self.value = value
            self.seq = seq
        }
    }

    /// The sequence the receiver holds once it applied every row.
    public var catalogSeq: UInt64
    /// Catalogue items, each with the sequence it was written at.
    public var items: [(item: CatalogItem, seq: UInt64)]
    /// Calendar rows.
    public var days: [DayRow]
    /// Setting rows.
    public var settings: [SettingRow]

    /// A catalogue delta.
    public init(catalogSeq: UInt64, items: [(item: CatalogItem, seq: UInt64)], days: [DayRow], settings: [SettingRow]) {
        self.catalogSeq = catalogSeq
        self.items = items
        self.days = days
        self.settings = settings
    }

    /// Equal sequence, items (with their sequences), days and settings: tuples are not Equatable.
    public static func == (a: CatalogDelta, b: CatalogDelta) -> Bool {
        a.catalogSeq == b.catalogSeq && a.days == b.days && a.settings == b.settings
            && a.items.map(\.item) == b.items.map(\.item) && a.items.map(\.seq) == b.items.map(\.seq)
    }

    /// Hashes the sequence and item count only: consistent with `==`.
    public func hash(into h: inout Hasher) {
        h.combine(catalogSeq)
        h.combine(items.count)
    }
}
