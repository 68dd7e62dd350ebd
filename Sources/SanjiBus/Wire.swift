import SanjiCore

/// SJP/1 messages (docs/protocol.md): one model, one encoder, one decoder.
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

    public static let signature: [UInt8] = [0x53, 0x4A]  // "SJ"
    /// SJP/2 (sanji 0.2.0): summary rows count cases due (not 差评 follow-up), and ROWS carry
    /// exception records. docs/protocol.md, section 9, says what changed from SJP/1.
    public static let version: UInt8 = 2
    public static let maxFrameBytes = 16 * 1024 * 1024

    public struct Hello: Equatable, Sendable {
        public var nodeId, name, level, software: String
        public var catalogSeq: UInt64
        public var rev: UInt64
        /// Which copy of the node's store speaks (docs/protocol.md, HELLO), and the copies it
        /// descends from, newest first.
        public var incarnation: String
        public var lineage: [String]

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

    public struct Welcome: Equatable, Sendable {
        public var parentId: String
        public var cursor: UInt64
        public var catalogSeq: UInt64
        public var heartbeatMs: UInt32

        public init(parentId: String, cursor: UInt64, catalogSeq: UInt64, heartbeatMs: UInt32) {
            self.parentId = parentId
            self.cursor = cursor
            self.catalogSeq = catalogSeq
            self.heartbeatMs = heartbeatMs
        }
    }

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
