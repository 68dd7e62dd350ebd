/// Every interval and size of the runtime, in one place. The defaults are the protocol's
/// (docs/protocol.md); tests shorten the heartbeat.
public struct RuntimeOptions: Sendable {
    /// How often a quiet link says it is alive (ms).
    public var heartbeatMs: Int64 = 1000
    /// A peer silent for this many heartbeats is gone.
    public var livenessBeats: Int64 = 5
    /// Reconnecting to a silent parent backs off up to this many heartbeats.
    public var maxReconnectBeats: Int64 = 16
    /// Batches of rows unacknowledged at once.
    public var window = 4
    /// Rows in one batch (about; a batch ends at a rev).
    public var batchRows = 1000
    /// Resend what is unacknowledged when the oldest batch waited this long (ms).
    public var retransmitMs: Int64 = 5000
    /// HELLO again when it was not answered within this time (ms).
    public var helloRetryMs: Int64 = 2000
    /// After a refusal by the parent, try again after this long (ms), doubling up to `maxRefusalBackoffMs`.
    public var refusalBackoffMs: Int64 = 60_000
    /// The longest wait between tries after refusals (ms).
    public var maxRefusalBackoffMs: Int64 = 15 * 60_000
    /// A refused child is told why (and it is logged) at most this often per reason (ms).
    public var refusalNoticeMs: Int64 = 60_000
    /// …except "say HELLO first" (a parent that restarted expects it at once) and a malformed HELLO.
    public var helloFirstNoticeMs: Int64 = 2000
    /// How often a malformed HELLO is answered and logged (ms).
    public var badHelloNoticeMs: Int64 = 5000
    /// A catalogue delta not yet confirmed by the child's heartbeat is sent again after this long (ms).
    public var catalogResendMs: Int64 = 5000
    /// ROWS read together are committed in one transaction, up to this many rows (group commit).
    public var groupCommitRows = 8000
    /// The socket poll's timeout, and how often the store is looked at for new rows, a new
    /// catalogue, enrolments and `sanji verify`'s questions (ms).
    public var pollMs: Int64 = 50
    /// How often the node's own status is checked (ms); it is rewritten when it changed, or at
    /// least every `statusInterval` seconds.
    public var statusCheckMs: Int64 = 2000
    /// The status part is rewritten at least this often (seconds), so that its as-of time stays fresh.
    public var statusInterval: Int64 = 60
    /// How often open cases are checked for a passed deadline (ms).
    public var sweepMs: Int64 = 60_000
    /// How often the link records (`sanji status`) are written (ms).
    public var linksMs: Int64 = 1000
    /// How often the store's files are checked for removal or replacement (ms).
    public var filesMs: Int64 = 1000
    /// How often the monthly rollups are brought up to date, when rows changed (ms).
    public var rollupMs: Int64 = 10_000
    /// Where to write the Prometheus text exposition (`serve --metrics-file`); nil: nowhere.
    public var metricsFile: String?
    /// How often the metrics file is written (ms).
    public var metricsMs: Int64 = 15_000
    /// A step that keeps failing for the same reason is logged at most this often (ms).
    public var failureLogMs: Int64 = 10_000

    /// The protocol's defaults.
    public init() {}

    /// How long the parent may be silent before it counts as gone (ms): the longer of this
    /// node's heartbeat and the parent's, times the liveness beats.
    func silence(parentHeartbeatMs: Int64) -> Int64 { max(heartbeatMs, parentHeartbeatMs) * livenessBeats }
}
