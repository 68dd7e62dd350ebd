import SanjiCore

/// SJP/2 messages (docs/protocol.md): one model, one encoder, one decoder.
public enum WireMessage: Equatable, Sendable {
    case hello(Hello)
    case welcome(Welcome)
    case rows(SyncBatch)
    case ack(toRev: UInt64, cursor: UInt64, refused: UInt32)
    case catalog(CatalogDelta)
    /// `time`: the sender's clock (seconds since the epoch), so that a child can tell its skew.
    case heartbeat(catalogSeq: UInt64, time: Int64)
    case error(code: UInt16, reason: String)
    /// Asks the receiving node for the digests of its own rows, and to pass the question down.
    case verify(request: UInt64)
    /// One origin's digests in answer to a VERIFY, relayed upward unchanged.
    case digest(request: UInt64, origin: String, months: [MonthDigest])
    /// Asks `origin` (routed down the tree) to stamp its rows of these months anew, so that they
    /// travel up again; with `seal`, followed by a seal of each month (drop what it no longer has).
    case heal(origin: String, months: [String], seal: Bool)

    /// The two bytes every frame starts with: "SJ".
    public static let signature: [UInt8] = [0x53, 0x4A]  // "SJ"
    /// SJP/3 (sanji 0.3.0): summary rows carry the service-mode and 咨询 counters, ROWS carry
    /// window and staff rows, and exception records name their window. docs/protocol.md,
    /// section 9, says what changed from SJP/1 and SJP/2.
    public static let version: UInt8 = 3
    /// The largest frame a node takes, in bytes (16 MiB): a parent sets it as `ZMQOption.maxMessageSize`.
    public static let maxFrameBytes = 16 * 1024 * 1024

    /// HELLO (command 1): a child says who it is, which copy speaks and how far it has got, until welcomed.
    public struct Hello: Equatable, Sendable {
        /// The child's node id, its name, its level (`province` … `village`) and the sanji version it runs.
        public var nodeId, name, level, software: String
        /// The catalogue sequence the child holds.
        public var catalogSeq: UInt64
        /// The child's highest rev.
        public var rev: UInt64
        /// Which copy of the node's store speaks (docs/protocol.md, HELLO), and the copies it
        /// descends from, newest first.
        public var incarnation: String
        /// The incarnations it descends from, newest first (at most 16).
        public var lineage: [String]

        /// A HELLO; a parent refuses one with an empty `incarnation` (ERROR 400).
        public init(nodeId: String, name: String, level: String, software: String, catalogSeq: UInt64, rev: UInt64,
                    incarnation: String = "", lineage: [String] = []) {
            self.nodeId = nodeId
            self.name = name
            self.level = level
            self.software = software
            self.catalogSeq = catalogSeq
            self.rev = rev
            self.incarnation = incarnation
            self.lineage = lineage
        }
    }

    /// WELCOME (command 2): the parent accepts a child's HELLO and says where its rows resume.
    public struct Welcome: Equatable, Sendable {
        /// The parent's node id.
        public var parentId: String
        /// The highest rev of the child's that the parent has committed (0 if none): the child resumes above it.
        public var cursor: UInt64
        /// The catalogue sequence the parent holds.
        public var catalogSeq: UInt64
        /// The parent's heartbeat interval, in milliseconds.
        public var heartbeatMs: UInt32

        /// A WELCOME telling the child to resume above `cursor`.
        public init(parentId: String, cursor: UInt64, catalogSeq: UInt64, heartbeatMs: UInt32) {
            self.parentId = parentId
            self.cursor = cursor
            self.catalogSeq = catalogSeq
            self.heartbeatMs = heartbeatMs
        }
    }

    /// The command byte of the frame header: 1 HELLO … 10 HEAL.
    public var command: UInt8 {
        switch self {
        case .hello: 1
        case .welcome: 2
        case .rows: 3
        case .ack: 4
        case .catalog: 5
        case .heartbeat: 6
        case .error: 7
        case .verify: 8
        case .digest: 9
        case .heal: 10
        }
    }

    /// The command's name as docs/protocol.md spells it (`HELLO`, `ROWS` …), for logs and errors.
    public var name: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .rows: "ROWS"
        case .ack: "ACK"
        case .catalog: "CATALOG"
        case .heartbeat: "HEARTBEAT"
        case .error: "ERROR"
        case .verify: "VERIFY"
        case .digest: "DIGEST"
        case .heal: "HEAL"
        }
    }
}
