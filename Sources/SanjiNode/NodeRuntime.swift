import Logging
import SanjiBus
import SanjiCore
import SanjiStore

/// One node's network life: the I/O shell around two state machines, `ParentLink` (the link up)
/// and `Downlink` (the links down). The shell owns the sockets and the store, feeds the machines
/// what arrives and what time it is, and performs the actions they return. It is confined to the
/// thread that calls `run()`, which blocks until `stopHandle.stop()` (from any thread).
public final class NodeRuntime {
    /// Stops `run()` from any thread (serve's signal handler holds it).
    public let stopHandle = StopHandle()
    let store: NodeStore
    let options: RuntimeOptions
    let clock: WallClock
    var logger: Logger
    let context = ZMQContext()
    let keys: CurveKeyPair
    let config: LinkConfig
    var children: ChildPort?
    var parent: ParentPort?
    var link: ParentLink?
    var downlink: Downlink
    var group: GroupCommit
    var schedule: Schedule
    /// The store's counters as last polled.
    var seen = StoreState()
    var incarnation: Incarnation
    let chores: Chores
    var failures: FailureLog
    /// Catalogue deltas already read and encoded, by the sequence a child holds; valid for
    /// `catalogDeltasAt`, this node's sequence when they were read. A change reaches every child
    /// at the same sequence, so the store is read and the frame encoded once, not once a child.
    var catalogDeltas: [UInt64: [UInt8]?] = [:]
    var catalogDeltasAt: UInt64 = 0
    /// Since serve started, for the metrics file: rows committed from children, and rows and
    /// messages of theirs refused.
    var rowsApplied = 0
    var refusals = 0
    var startedAtMs: Int64 = 0
    /// Set when a condition no retry can mend stops the node (serve then exits non-zero).
    var fatal: SanjiError?

    /// A runtime for `store`'s node; reads its keys and links (throws if a parent is named without its key).
    public init(store: NodeStore, options: RuntimeOptions = RuntimeOptions(), logger: Logger, clock: WallClock = .system) throws {
        self.store = store
        self.options = options
        self.clock = clock
        self.logger = logger
        self.logger[metadataKey: "node.id"] = .string(store.identity.id)
        keys = try store.keys.load()
        config = try store.linkConfig()
        try config.requireParentKey()
        downlink = Downlink(nodeId: store.identity.id, options: options)
        group = GroupCommit(limit: options.groupCommitRows)
        schedule = Schedule(options: options, now: clock.milliseconds())
        incarnation = try store.incarnation()
        chores = Chores(store: store, options: options, logger: logger)
        failures = FailureLog(every: options.failureLogMs)
    }

    /// Binds and connects, then serves until stopped. Throws only for what an operator must fix
    /// (an endpoint that cannot be bound, missing keys, the store's files removed under it); a
    /// peer's misbehaviour is logged and survived.
    public func run() throws {
        chores.noteNewCopy(incarnation)
        if let listen = config.listen {
            children = try ChildPort(context, store: store, config: config, listen: listen, secretKey: keys.secretKey, logger: logger)
        }
        let start = clock.milliseconds()
        startedAtMs = start
        if config.parent != nil {
            link = ParentLink(options: options, now: start)
            try perform(link!.start(now: start), now: start)
        }
        logger.info("serving", metadata: ["listen": .string(config.listenResolved ?? config.listen ?? "-"), "parent": .string(config.parent ?? "-")])
        while !stopHandle.isStopped, fatal == nil {
            _ = ZMQPoll.readable((children?.sockets ?? []) + (parent.map { [$0.dealer] } ?? []), timeoutMs: Int(options.pollMs))
            let now = clock.milliseconds()
            do { try step(now: now) } catch { failures.record(error, now: now, to: logger) }
        }
        try? run(.links, now: clock.milliseconds())   // stopped
        children = nil
        parent = nil
        if let fatal {
            logger.critical("stopped: \(fatal.message)", metadata: ["hint": .string(fatal.hint ?? "")])
            throw fatal
        }
        logger.info("stopped")
    }

    /// One turn of the loop: what arrived, what is due.
    func step(now: Int64) throws {
        try children?.authenticate(now: now)
        try children?.logClosedConnections()
        try receiveFromChildren(now: now)
        try receiveFromParent(now: now)
        for job in schedule.jobs(at: now) { try run(job, now: now) }
        try perform(downlink.tick(now: now, catalogSeq: seen.catalogSeq), now: now)
        if link != nil { try perform(link!.tick(now: now, localRev: seen.rev), now: now) }
    }

    // MARK: The links down

    func receiveFromChildren(now: Int64) throws {
        guard let port = children else { return }
        var handled = 0
        // Bounded, so that a flooding child cannot starve the rest (heartbeats, other children).
        while handled < 1000, let incoming = try port.receive() {
            handled += 1
            let (child, route) = (incoming.child, incoming.route)
            switch incoming.body {
            case .refused(let refusal):
                refusals += 1
                try perform(downlink.refuse(child, route: route, refusal, now: now), now: now)
            case .message(let message):
                // Rows wait for the group commit; anything else first commits them (each child's order holds).
                if case .rows = message {} else { try commitPending(now: now) }
                try perform(downlink.received(message, from: child, route: route, now: now), now: now)
            }
        }
        try commitPending(now: now)
    }

    /// Commits the rows read together in one transaction, then acknowledges each batch. If the
    /// commit fails, nothing is acknowledged: the children send the rows again.
    func commitPending(now: Int64) throws {
        guard !group.isEmpty else { return }
        let pending = group.take()
        let results = try store.applyBatches(pending)
        for r in results { (rowsApplied, refusals) = (rowsApplied + r.applied, refusals + r.refusedRows) }
        for ((child, batch), result) in zip(pending, results) { try perform(downlink.committed(batch, from: child, result, now: now), now: now) }
        // What was committed here goes up at once, not at the next poll of the store (a relay
        // waited up to `pollMs` a hop).
        if link != nil { seen.rev = UInt64(try store.currentRev()) }
    }

    func perform(_ actions: [Downlink.Action], now: Int64) throws {
        for action in actions {
            switch action {
            case .send(let route, let message):
                children?.send(route, message)
            case .tell(let route, let code, let reason, let version):
                children?.tell(route, code: code, reason: reason, version: version)
            case .sendCatalog(let route, let after):
                if let frame = try catalogFrame(after: after) { children?.send(route, encoded: frame) }
            case .commit(let child, let batch):
                if group.add(batch, from: child) { try commitPending(now: now) }
            case .admit(let child, let route, let hello, let other):
                let decision = try store.admit(child: child, incarnation: hello.incarnation, lineage: hello.lineage, currentConnected: other,
                                               now: Timestamp(seconds: now / 1000))
                try perform(downlink.decided(decision, child, route: route, hello, cursor: try store.cursor(of: child), catalogSeq: seen.catalogSeq,
                                             now: now), now: now)
            case .digest(let child, let request, let origin, let months):
                switch try store.takeDigest(from: child, request: request, origin: origin, months: months) {
                case .notItsSubtree: try perform(downlink.digestRefused(from: child, origin: origin, now: now), now: now)
                case .passUp: parent?.send(.digest(request: request, origin: origin, months: months))
                case .filed: break
                }
            case .note(let event):
                logger.note(event)
            }
        }
    }

    /// The CATALOG frame for a child at sequence `after`, read and encoded once per sequence pair.
    func catalogFrame(after: UInt64) throws -> [UInt8]? {
        if catalogDeltasAt != seen.catalogSeq { (catalogDeltas, catalogDeltasAt) = ([:], seen.catalogSeq) }
        if let frame = catalogDeltas[after] { return frame }
        let delta = try store.catalogDelta(after: after)
        let frame = delta.map { WireCodec.encode(.catalog($0)) }
        // A delta read while the store is already past `seen` belongs to a later sequence: not kept.
        if (delta?.catalogSeq ?? seen.catalogSeq) == seen.catalogSeq { catalogDeltas[after] = frame }
        return frame
    }

    // MARK: The link up

    func receiveFromParent(now: Int64) throws {
        var handled = 0
        while handled < 1000, link != nil, let incoming = try parent?.receive(logger: logger) {
            handled += 1
            switch incoming {
            case .otherProtocol(let description):
                return try perform(link!.otherProtocol(description, now: now), now: now)
            case .message(.welcome(let w)) where link!.awaitsWelcome:
                if let next = try store.recoverFromRollback(parentCursor: w.cursor) {
                    // The store lost work the parent had (restored in place, its write-ahead log removed):
                    // it is a new copy, every own row stamped above the parent's cursor; HELLO again as it.
                    logger.warning("the parent has acknowledged more than this store holds; it continues as a new copy and sends all its rows again",
                                   metadata: ["cursor": .stringConvertible(w.cursor), "incarnation": .string(next.id)])
                    (incarnation, seen) = (next, try store.state())
                    link!.restart()
                } else {
                    try perform(link!.received(.welcome(w), now: now), now: now)
                }
            case .message(let message):
                try perform(link!.received(message, now: now), now: now)
            }
        }
    }

    func perform(_ actions: [ParentLink.Action], now: Int64) throws {
        for action in actions {
            switch action {
            case .connect:
                parent = try ParentPort(context, endpoint: config.parent!, parentKey: config.parentKey!, keys: keys)
            case .disconnect:
                parent = nil
            case .sayHello:
                let hello = WireMessage.Hello(store.identity, incarnation: incarnation, catalogSeq: seen.catalogSeq, rev: seen.rev)
                if parent?.send(.hello(hello)) == true { link!.helloSent(now: now) }
            case .sendHeartbeat:
                parent?.send(.heartbeat(catalogSeq: seen.catalogSeq, time: now / 1000))
            case .sendRows(let after):
                guard let batch = try store.readBatch(after: after, limit: options.batchRows) else { continue }
                parent?.send(.rows(batch))
                try perform(link!.rowsSent(from: batch.fromRev, to: batch.toRev, now: now, localRev: seen.rev), now: now)
            case .applyCatalog(let delta):
                guard try store.applyCatalog(delta) else { continue }
                seen.catalogSeq = delta.catalogSeq
                try perform(link!.catalogApplied(delta, now: now), now: now)
            case .answerVerify(let request):
                // Answer for this node's own rows, and pass the question down: each answer is relayed up unchanged.
                parent?.send(.digest(request: request, origin: store.identity.id, months: try store.digests()))
                try perform(downlink.broadcast(.verify(request: request), now: now), now: now)
            case .heal(let origin, let months, let seal):
                try heal(origin: origin, months: months, seal: seal, now: now)
            case .rememberParent(let id):
                if config.parentId != id { try store.setParentId(id) }
            case .send(let message):
                parent?.send(message)
            case .note(let event):
                logger.note(event)
            }
        }
    }

    // MARK: Chores and questions

    func run(_ job: Schedule.Job, now: Int64) throws {
        switch job {
        case .pollStore:
            let state = try store.state()
            if state.enrolmentStamp != seen.enrolmentStamp { children?.keys = try store.enrolledChildKeys() }
            seen = state
            if state.questionsWaiting { try sendQuestions(now: now) }
        case .status: try chores.refreshStatus(acknowledged: link?.uplink.acked, clockSkew: link?.clockSkew ?? 0, now: now)
        case .sweep: try chores.sweep(now: now)
        case .links:
            try chores.recordLinks(now: now, stopped: stopHandle.isStopped || fatal != nil, listening: children?.router.lastEndpoint, catalogSeq: seen.catalogSeq,
                                   parent: link.map { (config.parent!, $0) }, children: Array(downlink.sessions.values))
        case .files: fatal = chores.filesChanged()
        case .rollups: try chores.refreshRollups(rev: seen.rev)
        case .metrics: try writeMetrics(now: now)
        }
    }

    /// Writes the metrics file (`serve --metrics-file`): the link up, the children as the store
    /// and the live sessions know them, what was applied and refused, the store's size.
    func writeMetrics(now: Int64) throws {
        guard let path = options.metricsFile else { return }
        var m = NodeMetrics(nodeId: store.identity.id, level: store.identity.level.rawValue, version: SanjiVersion.string)
        if let link {
            m.parentState = link.state
            m.parentLastHeardAt = link.state == .connecting ? 0 : link.lastHeardMs / 1000
            m.backlog = try store.dataBacklog(above: link.uplink.acked)
            m.clockSkew = link.clockSkew
        }
        let cursors = try store.cursors()
        m.children = try store.enrolledChildren().map { c in
            let session = downlink.sessions[c.id]
            return NodeMetrics.Child(id: c.id, connected: session?.connected ?? false,
                                     lastHeardAt: max(c.lastHeardAt, (session?.lastHeardMs ?? 0) / 1000), cursor: cursors[c.id] ?? 0)
        }
        (m.rowsApplied, m.refusals, m.catalogSeq) = (rowsApplied, refusals, seen.catalogSeq)
        m.storeBytes = store.fileBytes()
        (m.startedAt, m.writtenAt) = (startedAtMs / 1000, now / 1000)
        try NodeMetrics.write(m.text, to: path)
    }

    /// Sends down the questions and heal requests `sanji verify` filed in the store.
    func sendQuestions(now: Int64) throws {
        for request in try store.unsentVerifyRequests() {
            try perform(downlink.ask(request, now: now), now: now)
            try store.markVerifySent(request)
        }
        for h in try store.unsentHeals() where try h.origin == store.identity.id || downlink.isConnected(store.childToward(h.origin)) {
            try heal(origin: h.origin, months: h.months, seal: h.seal, now: now)
            try store.markHealSent(h.id)
        }
    }

    /// Restamps this node's rows of `months` when it is `origin` (and seals the months if asked),
    /// else passes the request to the child toward it.
    func heal(origin: String, months: [String], seal: Bool, now: Int64) throws {
        guard origin != store.identity.id else { return try chores.restamp(months: months, seal: seal) }
        try perform(downlink.heal(origin: origin, months: months, seal: seal, through: try store.childToward(origin), now: now), now: now)
    }
}
