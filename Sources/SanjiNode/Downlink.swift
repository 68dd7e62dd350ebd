import SanjiBus
import SanjiCore
import SanjiStore

/// One enrolled child as its parent sees it.
public struct ChildSession: Sendable, Equatable {
    /// The child's node id (what its key was enrolled for).
    public let id: String
    /// The connection its accepted copy speaks on.
    public var route: [UInt8]
    /// The copy (incarnation) accepted on that connection.
    public var incarnation: String
    /// When anything was last heard from it (ms).
    public var lastHeardMs: Int64
    /// When anything was last sent to it (ms): heartbeats fill the silence.
    public var lastSentMs: Int64 = .min / 2
    /// The child's catalogue sequence, from its HELLO and heartbeats.
    public var catalogSeq: UInt64
    /// When a catalogue delta was last sent to it (ms).
    public var lastCatalogSentMs: Int64 = .min / 2
    /// Heard from within the liveness window.
    public var connected = true
}

/// Why a parent refuses a child's message; the wire's ERROR code for each, and how often a
/// child is told (a refused child retries; its parent does not answer, and log, every message).
public enum ChildRefusal: Equatable, Sendable {
    /// Its key is not enrolled here (revoked, or replaced).
    case notEnrolled
    /// Another copy of it is running and accepted.
    case anotherCopy(running: String, refused: String)
    /// It speaks an older protocol (`description` says which); told in its own version's frame.
    case olderProtocol(description: String, version: UInt8)
    /// Its connection has not said HELLO (the parent restarted, or its copy was refused).
    case helloFirst
    /// Its HELLO cannot be taken.
    case badHello(String)

    /// The wire's ERROR code for this refusal (docs/protocol.md, section 8).
    public var code: UInt16 {
        switch self {
        case .notEnrolled: 401
        case .anotherCopy: 423
        case .olderProtocol: 426
        case .helloFirst: 428
        case .badHello: 400
        }
    }

    func reason(child: String) -> String {
        switch self {
        case .notEnrolled: "\(child) is not enrolled here (revoked, or its key was replaced)"
        case .anotherCopy(let running, let refused):
            "another copy of \(child) is running (\(running)); this copy (\(refused)) is refused. "
                + "Retire one (sanji retire) and keep the other at the parent (sanji copies keep); docs/operations.md"
        case .olderProtocol(let description, _):
            "this node runs sanji \(SanjiVersion.string) (SJP/\(WireMessage.version)); \(child) \(description); upgrade \(child) (docs/operations.md, upgrades)"
        case .helloFirst: "say HELLO first on this connection"
        case .badHello(let why): why
        }
    }

    func every(_ o: RuntimeOptions) -> Int64 {
        switch self {
        case .helloFirst: o.helloFirstNoticeMs
        case .badHello: o.badHelloNoticeMs
        default: o.refusalNoticeMs
        }
    }
}

/// The parent's side of its links to its children, as a state machine: which connection speaks
/// for which child (nothing is taken from a connection before its HELLO is accepted), each
/// child's liveness, heartbeats and catalogue pushes, acknowledgements after commits, and
/// refusals told at most once per interval. No sockets, no store, no clock.
public struct Downlink: Sendable {
    /// What the shell must do.
    public enum Action: Equatable, Sendable {
        /// Send a message on a connection.
        case send(route: [UInt8], WireMessage)
        /// Tell a connection why it is refused (an ERROR, in `legacyVersion`'s frame if given).
        case tell(route: [UInt8], code: UInt16, reason: String, legacyVersion: UInt8?)
        /// Send the catalogue rows above `after` on a connection (if the store holds any).
        case sendCatalog(route: [UInt8], after: UInt64)
        /// Commit these rows (group commit), then report `committed`.
        case commit(child: String, SyncBatch)
        /// Ask the store whether this copy of the child is accepted, then report `admitted` or
        /// `refusedCopy`. `otherCopySpeaking`: another copy spoke lately on another connection.
        case admit(child: String, route: [UInt8], WireMessage.Hello, otherCopySpeaking: Bool)
        /// File (or pass up) a digest the child relayed for `sanji verify`.
        case digest(child: String, request: UInt64, origin: String, months: [MonthDigest])
        /// Something to log.
        case note(Event)
    }

    /// What happened, for the log.
    public enum Event: Equatable, Sendable {
        case refused(child: String, code: UInt16, reason: String)
        case hello(child: String, cursor: UInt64, childRev: UInt64)
        case tookOver(child: String, incarnation: String, previous: String)
        case back(child: String)
        case silent(child: String)
        case childError(child: String, code: UInt16, reason: String)
        case rowsRefused(child: String, code: UInt16, reason: String)
        case gap(child: String, cursor: UInt64, from: UInt64)
        case cannotRoute(origin: String)
        case asked(children: Int)
        case digestRefused(child: String, origin: String)
    }

    /// The intervals it keeps.
    public let options: RuntimeOptions
    /// This node's id (it is every WELCOME's parent id).
    public let nodeId: String
    /// Every child admitted since serve started, by node id.
    public private(set) var sessions: [String: ChildSession] = [:]
    /// Connections whose HELLO was accepted, and whose they are.
    public private(set) var admitted: [[UInt8]: String] = [:]
    private var lastTold: [String: Int64] = [:]
    /// When `tick` last went through every session, at which catalogue sequence and with how many
    /// sessions: a parent of 2,000 children turns its loop hundreds of times a second, and a pass
    /// over them all on every turn was a third of its time (sanji-bench fanin).
    private var scanned: (atMs: Int64, catalogSeq: UInt64, sessions: Int) = (.min / 2, 0, 0)

    /// The links of node `nodeId`, none admitted yet.
    public init(nodeId: String, options: RuntimeOptions) {
        self.nodeId = nodeId
        self.options = options
    }

    /// The children heard from lately.
    public var connectedChildren: [String] { sessions.values.filter(\.connected).map(\.id).sorted() }

    /// Whether `child` is heard from lately.
    public func isConnected(_ child: String?) -> Bool { child.flatMap { sessions[$0]?.connected } ?? false }

    // MARK: Messages

    /// A message from `child` (whom its key proves) on connection `route`.
    public mutating func received(_ message: WireMessage, from child: String, route: [UInt8], now: Int64) -> [Action] {
        if case .hello(let h) = message { return hello(h, from: child, route: route, now: now) }
        guard admitted[route] == child else { return refuse(child, route: route, .helloFirst, now: now) }
        var actions = heard(child, now: now)
        switch message {
        case .hello:
            break
        case .rows(let batch):
            actions.append(.commit(child: child, batch))
        case .heartbeat(let seq, _):
            sessions[child]?.catalogSeq = seq
        case .error(let code, let reason):
            actions.append(.note(.childError(child: child, code: code, reason: reason)))
        case .digest(let request, let origin, let months):
            actions.append(.digest(child: child, request: request, origin: origin, months: months))
        case .welcome, .ack, .catalog, .verify, .heal:
            actions += send(child, .error(code: 400, reason: "\(message.name) is sent by a parent, not a child"), now: now)
        }
        return actions
    }

    private mutating func hello(_ h: WireMessage.Hello, from child: String, route: [UInt8], now: Int64) -> [Action] {
        guard h.nodeId == child else {
            return refuse(child, route: route, .badHello("HELLO names \(h.nodeId), but this connection's key is enrolled for \(child)"), now: now)
        }
        guard Level(rawValue: h.level) != nil else {
            return refuse(child, route: route, .badHello("HELLO's level \"\(h.level)\" is not one of province, city, county, township, village"), now: now)
        }
        guard !h.incarnation.isEmpty else {
            return refuse(child, route: route, .badHello("HELLO carries no incarnation (which copy of the store speaks)"), now: now)
        }
        // The accepted copy is elsewhere only if it spoke recently on another connection.
        let other = sessions[child].map { s in
            s.connected && s.incarnation != h.incarnation && s.route != route && now - s.lastHeardMs <= options.heartbeatMs * options.livenessBeats
        } ?? false
        return [.admit(child: child, route: route, h, otherCopySpeaking: other)]
    }

    private mutating func admitted(_ child: String, route: [UInt8], _ h: WireMessage.Hello, previous: String?, cursor: UInt64,
                                  catalogSeq: UInt64, now: Int64) -> [Action] {
        var actions: [Action] = []
        if let previous { actions.append(.note(.tookOver(child: child, incarnation: h.incarnation, previous: previous))) }
        for (r, c) in admitted where c == child && r != route { admitted[r] = nil }
        admitted[route] = child
        if sessions[child]?.connected == false { actions.append(.note(.back(child: child))) }
        var session = ChildSession(id: child, route: route, incarnation: h.incarnation, lastHeardMs: now, catalogSeq: h.catalogSeq)
        session.lastSentMs = sessions[child]?.lastSentMs ?? .min / 2
        sessions[child] = session
        actions.append(.note(.hello(child: child, cursor: cursor, childRev: h.rev)))
        actions += send(child, .welcome(.init(parentId: nodeId, cursor: cursor, catalogSeq: catalogSeq, heartbeatMs: UInt32(options.heartbeatMs))), now: now)
        return actions
    }

    /// The store's answer to `.admit`: this copy is accepted (perhaps taking over from an earlier
    /// one), or refused because another is running. `cursor`: the child's rows committed here.
    public mutating func decided(_ decision: CopyDecision, _ child: String, route: [UInt8], _ h: WireMessage.Hello, cursor: UInt64,
                                 catalogSeq: UInt64, now: Int64) -> [Action] {
        switch decision {
        case .refused(let running): refuse(child, route: route, .anotherCopy(running: running, refused: h.incarnation), now: now)
        case .accepted: admitted(child, route: route, h, previous: nil, cursor: cursor, catalogSeq: catalogSeq, now: now)
        case .handedOver(let previous): admitted(child, route: route, h, previous: previous, cursor: cursor, catalogSeq: catalogSeq, now: now)
        }
    }

    /// A DIGEST relayed by `child` whose origin is outside its subtree.
    public mutating func digestRefused(from child: String, origin: String, now: Int64) -> [Action] {
        [.note(.digestRefused(child: child, origin: origin))]
            + send(child, .error(code: 403, reason: "DIGEST of \(origin): not \(child) or a node enrolled in its subtree"), now: now)
    }

    /// A message on a connection whose key is no longer enrolled, or in an older protocol.
    public mutating func refuse(_ child: String, route: [UInt8], _ refusal: ChildRefusal, now: Int64) -> [Action] {
        if refusal == .notEnrolled { sessions[child]?.connected = false }
        let key = "\(child)/\(refusal.code)"
        guard now - (lastTold[key] ?? .min / 2) >= refusal.every(options) else { return [] }
        lastTold[key] = now
        var legacy: UInt8?
        if case .olderProtocol(_, let version) = refusal { legacy = version }
        let reason = refusal.reason(child: child)
        var actions: [Action] = [.tell(route: route, code: refusal.code, reason: reason, legacyVersion: legacy)]
        if refusal != .helloFirst { actions.append(.note(.refused(child: child, code: refusal.code, reason: reason))) }
        return actions
    }

    /// A batch of `child`'s was committed (or found beyond its cursor): acknowledge it, and say
    /// why rows were refused. Nothing is acknowledged that was not committed.
    public mutating func committed(_ batch: SyncBatch, from child: String, _ result: ApplyResult, now: Int64) -> [Action] {
        var actions: [Action] = []
        for refusal in result.refused {
            let code = Self.code(refusal.kind)
            actions.append(.note(.rowsRefused(child: child, code: code, reason: refusal.reason)))
            actions += send(child, .error(code: code, reason: refusal.reason), now: now)
        }
        if result.gap { actions.append(.note(.gap(child: child, cursor: result.cursor, from: batch.fromRev))) }
        actions += send(child, .ack(toRev: batch.toRev, cursor: result.cursor, refused: UInt32(result.refusedRows)), now: now)
        return actions
    }

    /// The wire's code for a refused row (docs/protocol.md, section 8).
    public static func code(_ kind: RowRefusal.Kind) -> UInt16 {
        switch kind {
        case .impossible: 400
        case .notItsSubtree: 403
        case .enrolledElsewhere: 409
        }
    }

    /// Passes a heal request toward `origin`, through `child` (the child it lies below), if connected.
    public mutating func heal(origin: String, months: [String], seal: Bool, through child: String?, now: Int64) -> [Action] {
        guard let child, isConnected(child) else { return [.note(.cannotRoute(origin: origin))] }
        return send(child, .heal(origin: origin, months: months, seal: seal), now: now)
    }

    /// Asks every connected child for its subtree's digests (`sanji verify`, filed at this node).
    public mutating func ask(_ request: UInt64, now: Int64) -> [Action] {
        [.note(.asked(children: connectedChildren.count))] + broadcast(.verify(request: request), now: now)
    }

    /// Sends `message` to every connected child (a VERIFY question passed down).
    public mutating func broadcast(_ message: WireMessage, now: Int64) -> [Action] {
        connectedChildren.flatMap { send($0, message, now: now) }
    }

    /// Sends `message` to `child`, if it is connected.
    public mutating func send(_ child: String, _ message: WireMessage, now: Int64) -> [Action] {
        guard let s = sessions[child] else { return [] }
        sessions[child]?.lastSentMs = now
        return [.send(route: s.route, message)]
    }

    // MARK: Time

    /// Heartbeats, catalogue pushes and silence, at `now`; `catalogSeq` is this node's.
    public mutating func tick(now: Int64, catalogSeq: UInt64) -> [Action] {
        // Heartbeats and silence need no finer grain than a tenth of a heartbeat; a new catalogue
        // sequence or a new child is seen at once.
        let grain = max(1, min(options.heartbeatMs / 10, 100))
        // (A clock stepped back scans at once too, rather than waiting for it to catch up.)
        guard now - scanned.atMs >= grain || now < scanned.atMs || catalogSeq != scanned.catalogSeq || sessions.count != scanned.sessions else { return [] }
        scanned = (now, catalogSeq, sessions.count)
        var actions: [Action] = []
        for id in sessions.keys.sorted() {
            guard var s = sessions[id], s.connected else { continue }
            if now - s.lastHeardMs > options.heartbeatMs * options.livenessBeats {
                sessions[id]?.connected = false
                actions.append(.note(.silent(child: id)))
                continue
            }
            if s.catalogSeq < catalogSeq, now - s.lastCatalogSentMs >= options.catalogResendMs {
                s.lastCatalogSentMs = now
                s.lastSentMs = now
                actions.append(.sendCatalog(route: s.route, after: s.catalogSeq))
            }
            if now - s.lastSentMs >= options.heartbeatMs {
                s.lastSentMs = now
                actions.append(.send(route: s.route, .heartbeat(catalogSeq: catalogSeq, time: now / 1000)))
            }
            sessions[id] = s
        }
        return actions
    }

    private mutating func heard(_ child: String, now: Int64) -> [Action] {
        guard sessions[child] != nil else { return [] }
        let wasSilent = sessions[child]?.connected == false
        sessions[child]?.lastHeardMs = now
        sessions[child]?.connected = true
        return wasSilent ? [.note(.back(child: child))] : []
    }
}
