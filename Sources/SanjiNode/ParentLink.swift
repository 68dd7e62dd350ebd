import SanjiBus
import SanjiCore
import SanjiStore

/// The child's side of its link to the parent, as a state machine (docs/protocol.md, sections 5
/// and 8): connecting and saying HELLO, up and streaming rows (`UplinkState`), silent and
/// reconnecting with backoff, or refused and waiting. No sockets, no store, no clock: the shell
/// tells it what arrived (`received`) and what time it is (`tick`), and performs the actions it
/// returns; a HELLO or a batch actually sent is reported back (`helloSent`, `rowsSent`).
public struct ParentLink: Sendable {
    /// Where the link stands.
    public enum Phase: Equatable, Sendable {
        /// A connection is open (or being made); HELLO is said until WELCOME answers.
        case helloing
        /// Welcomed: rows flow.
        case up
        /// Refused by the parent: the connection is closed until `until` (ms).
        case refused(until: Int64)
    }

    /// What the shell must do.
    public enum Action: Equatable, Sendable {
        /// Open a connection to the parent (closing any open one).
        case connect
        /// Close the connection.
        case disconnect
        /// Say HELLO; report `helloSent` if it was sent (a connection still handshaking refuses it).
        case sayHello
        /// Send a heartbeat with this node's catalogue sequence and clock.
        case sendHeartbeat
        /// Read the batch of rows above this rev and send it; report `rowsSent`.
        case sendRows(after: UInt64)
        /// Apply a catalogue delta from the parent; report `catalogApplied` if it was newer.
        case applyCatalog(CatalogDelta)
        /// Send this node's digests up for `request`, and pass the question to connected children.
        case answerVerify(request: UInt64)
        /// Restamp (and seal) this node's rows of `months` if it is `origin`, else pass it toward `origin`.
        case heal(origin: String, months: [String], seal: Bool)
        /// Remember the parent's node id (from WELCOME).
        case rememberParent(id: String)
        /// Send this message to the parent as it is.
        case send(WireMessage)
        /// Something to log.
        case note(Event)
    }

    /// What happened, for the log.
    public enum Event: Equatable, Sendable {
        case linked(parentId: String, cursor: UInt64)
        case wentSilent
        case refused(reason: String, retryInSeconds: Int64)
        case resendAsked(cursor: UInt64)
        case resendAfterTimeout(cursor: UInt64)
        case parentError(code: UInt16, reason: String)
        case catalogUpdated(sequence: UInt64, items: Int)
    }

    /// The intervals it keeps.
    public let options: RuntimeOptions
    /// Where the link stands.
    public private(set) var phase: Phase = .helloing
    /// What `sanji status` shows of the link.
    public private(set) var state: LinkRecord.State = .connecting
    /// The last refusal or error the parent gave, in words.
    public private(set) var detail: String?
    /// The stream of rows up: what was sent and what the parent acknowledged.
    public private(set) var uplink: UplinkState
    /// When the parent was last heard from (ms).
    public private(set) var lastHeardMs: Int64
    /// When anything was last sent to the parent (ms): heartbeats fill the silence.
    public private(set) var lastSentMs: Int64 = .min / 2
    /// When a HELLO last went out (ms).
    public private(set) var lastHelloMs: Int64 = .min / 2
    /// The parent's catalogue sequence, as last heard.
    public private(set) var parentCatalogSeq: UInt64?
    /// This node's clock minus the parent's (seconds), from the parent's heartbeats.
    public private(set) var clockSkew: Int64 = 0
    private var parentHeartbeatMs: Int64 = 0
    private var reconnectBeats: Int64 = 1
    private var refusalBackoffMs: Int64

    /// A link about to be opened at `now`: the first action is `.connect`.
    public init(options: RuntimeOptions, now: Int64) {
        self.options = options
        uplink = UplinkState(window: options.window, retransmitMs: options.retransmitMs)
        lastHeardMs = now
        refusalBackoffMs = options.refusalBackoffMs
    }

    /// Opens the link.
    public mutating func start(now: Int64) -> [Action] {
        lastHeardMs = now
        return [.connect]
    }

    // MARK: Time

    /// What is due at `now`, given the highest rev this node holds.
    public mutating func tick(now: Int64, localRev: UInt64) -> [Action] {
        var actions: [Action] = []
        switch phase {
        case .refused(let until):
            guard now >= until else { return [] }
            phase = .helloing
            state = .connecting
            lastHeardMs = now
            lastHelloMs = .min / 2
            return [.connect]
        case .helloing, .up:
            if now - lastHeardMs > options.silence(parentHeartbeatMs: parentHeartbeatMs) {
                // Silent: reconnect, and look again after a backoff that doubles while it stays silent.
                if phase == .up { actions.append(.note(.wentSilent)) }
                phase = .helloing
                state = .down
                uplink.reset()
                lastHelloMs = .min / 2
                lastHeardMs = now - options.silence(parentHeartbeatMs: parentHeartbeatMs) + options.heartbeatMs * reconnectBeats
                reconnectBeats = min(reconnectBeats * 2, options.maxReconnectBeats)
                actions.append(.connect)
            }
        }
        if phase == .helloing, now - lastHelloMs >= options.helloRetryMs {
            // Said on every tick until one is actually sent (the connection may still be handshaking).
            actions.append(.sayHello)
        }
        if phase == .up {
            if uplink.checkTimeout(nowMs: now) { actions.append(.note(.resendAfterTimeout(cursor: uplink.acked))) }
            if let start = uplink.nextBatchStart(localRev: localRev) { actions.append(.sendRows(after: start)) }
        }
        if now - lastSentMs >= options.heartbeatMs {
            lastSentMs = now
            actions.append(.sendHeartbeat)
        }
        return actions
    }

    /// A HELLO went out.
    public mutating func helloSent(now: Int64) {
        lastHelloMs = now
        lastSentMs = now
    }

    /// A batch `(from, to]` went out; returns the next one to send, if the window has room.
    public mutating func rowsSent(from: UInt64, to: UInt64, now: Int64, localRev: UInt64) -> [Action] {
        uplink.sent(from: from, to: to, nowMs: now)
        lastSentMs = now
        return uplink.nextBatchStart(localRev: localRev).map { [.sendRows(after: $0)] } ?? []
    }

    /// A catalogue delta from the parent was newer and is applied: say so at once (the parent
    /// stops resending it when the heartbeat carries the new sequence).
    public mutating func catalogApplied(_ delta: CatalogDelta, now: Int64) -> [Action] {
        lastSentMs = now
        return [.note(.catalogUpdated(sequence: delta.catalogSeq, items: delta.items.count)), .sendHeartbeat]
    }

    /// The store found that the parent holds more than it does (restored in place): it is a new
    /// copy now, and says HELLO again as it.
    public mutating func restart() {
        phase = .helloing
        uplink.reset()
        lastHelloMs = .min / 2
    }

    // MARK: Messages

    /// Whether a WELCOME now would be the answer to this link's HELLO (a late duplicate is not).
    public var awaitsWelcome: Bool { phase == .helloing }

    /// A message from the parent.
    public mutating func received(_ message: WireMessage, now: Int64) -> [Action] {
        if case .refused = phase { return [] }
        lastHeardMs = now
        reconnectBeats = 1
        switch message {
        case .welcome(let w):
            guard phase == .helloing else { return [] }
            phase = .up
            state = .up
            detail = nil
            refusalBackoffMs = options.refusalBackoffMs
            parentHeartbeatMs = Int64(w.heartbeatMs)
            parentCatalogSeq = w.catalogSeq
            uplink.welcome(cursor: w.cursor)
            return [.rememberParent(id: w.parentId), .note(.linked(parentId: w.parentId, cursor: w.cursor))]
        case .ack(let toRev, let cursor, _):
            if case .rewound(let to) = uplink.ack(toRev: toRev, cursor: cursor) { return [.note(.resendAsked(cursor: to))] }
            return []
        case .catalog(let delta):
            return [.applyCatalog(delta)]
        case .heartbeat(let seq, let time):
            parentCatalogSeq = seq
            if time > 0 { clockSkew = now / 1000 - time }
            return []
        case .error(let code, let reason):
            switch code {
            case 401, 423, 426:
                // Revoked, another copy running, or a protocol this node cannot speak: retrying at once changes nothing.
                return refused("\(code) \(reason)", now: now)
            case 428:
                // The parent does not know this connection (it restarted): HELLO again.
                restart()
                return []
            default:
                detail = "\(code) \(reason)"
                return [.note(.parentError(code: code, reason: reason))]
            }
        case .verify(let request):
            return [.answerVerify(request: request)]
        case .heal(let origin, let months, let seal):
            return [.heal(origin: origin, months: months, seal: seal)]
        case .hello, .rows, .digest:
            return [.send(.error(code: 400, reason: "\(message.name) is sent by a child, not a parent"))]
        }
    }

    /// The parent speaks another protocol (`description` says which): nothing either side says
    /// can be read by the other, so waiting is all there is.
    public mutating func otherProtocol(_ description: String, now: Int64) -> [Action] {
        refused("the parent \(description); this node runs sanji \(SanjiVersion.string) (SJP/\(WireMessage.version)): "
            + "upgrade the parent first (docs/operations.md, upgrades)", now: now)
    }

    /// Closes the link and waits (a minute, then longer, up to 15 minutes).
    private mutating func refused(_ reason: String, now: Int64) -> [Action] {
        let wait = refusalBackoffMs
        phase = .refused(until: now + wait)
        state = .refused
        detail = reason
        uplink.reset()
        refusalBackoffMs = min(refusalBackoffMs * 2, options.maxRefusalBackoffMs)
        return [.disconnect, .note(.refused(reason: reason, retryInSeconds: wait / 1000))]
    }
}
