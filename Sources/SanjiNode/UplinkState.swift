/// The child's side of the upward stream (docs/protocol.md, section 5): which revs were sent,
/// which the parent acknowledged, and when to resend. No sockets, no store: the runtime asks
/// it what to do and tells it what happened.
public struct UplinkState: Sendable, Equatable {
    /// A batch sent and not yet acknowledged.
    public struct InFlight: Sendable, Equatable {
        /// The rev the batch starts above.
        public var from: UInt64
        /// The last rev in the batch.
        public var to: UInt64
        /// When it was sent (ms).
        public var sentAtMs: Int64
    }

    /// How many batches may be unacknowledged at once.
    public let window: Int
    /// Resend everything unacknowledged when the oldest batch waited this long.
    public let retransmitMs: Int64

    /// The parent's cursor as last heard: everything up to here is committed there.
    public private(set) var acked: UInt64 = 0
    /// Everything up to here has been sent (acknowledged or in flight).
    public private(set) var sentUpTo: UInt64 = 0
    /// The batches sent and not yet acknowledged, oldest first.
    public private(set) var inFlight: [InFlight] = []
    /// Whether WELCOME said where to resume.
    public private(set) var welcomed = false

    /// A stream with `window` batches in flight at most, resent after `retransmitMs`.
    public init(window: Int = 4, retransmitMs: Int64 = 5000) {
        self.window = window
        self.retransmitMs = retransmitMs
    }

    /// A new link: nothing is known until WELCOME.
    public mutating func reset() {
        welcomed = false
        inFlight = []
    }

    /// WELCOME: resume from the parent's cursor.
    public mutating func welcome(cursor: UInt64) {
        welcomed = true
        acked = cursor
        sentUpTo = cursor
        inFlight = []
    }

    /// Where the next batch starts, if the window has room and there is something above it.
    public func nextBatchStart(localRev: UInt64) -> UInt64? {
        guard welcomed, inFlight.count < window, localRev > sentUpTo else { return nil }
        return sentUpTo
    }

    /// A batch `(from, to]` went out at `nowMs`.
    public mutating func sent(from: UInt64, to: UInt64, nowMs: Int64) {
        inFlight.append(InFlight(from: from, to: to, sentAtMs: nowMs))
        sentUpTo = max(sentUpTo, to)
    }

    /// What an ACK did to the stream.
    public enum AckOutcome: Equatable, Sendable {
        case advanced
        /// The parent's cursor is below what was sent next: a gap, so resend from the cursor.
        case rewound(to: UInt64)
        case stale
    }

    /// ACK for the batch that ended at `toRev`: drop acknowledged batches. A cursor below that
    /// batch's end means the parent did not apply it (a gap: something before it was lost), so
    /// start again from the cursor. An ACK for a batch no longer in flight is stale.
    public mutating func ack(toRev: UInt64, cursor: UInt64) -> AckOutcome {
        guard welcomed, inFlight.contains(where: { $0.to == toRev }) else { return .stale }
        acked = max(acked, cursor)
        if cursor < toRev {
            inFlight = []
            sentUpTo = cursor
            acked = cursor
            return .rewound(to: cursor)
        }
        inFlight.removeAll { $0.to <= cursor }
        if inFlight.isEmpty, sentUpTo < cursor { sentUpTo = cursor }
        return .advanced
    }

    /// True (and everything unacknowledged is forgotten, to be sent again) when the oldest batch timed out.
    public mutating func checkTimeout(nowMs: Int64) -> Bool {
        guard let oldest = inFlight.first, nowMs - oldest.sentAtMs >= retransmitMs else { return false }
        inFlight = []
        sentUpTo = acked
        return true
    }
}
