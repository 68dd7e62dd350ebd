import Foundation
import Logging
import SanjiBus
import SanjiCore
import SanjiStore

/// Timing and sizes of the runtime; the defaults are the protocol's.
public struct RuntimeOptions: Sendable {
    public var heartbeatMs: Int64 = 1000
    /// A peer silent for this many heartbeats is gone.
    public var livenessBeats: Int64 = 5
    public var window = 4
    public var batchRows = 1000
    public var retransmitMs: Int64 = 5000
    /// The node's own status is re-sent at least this often (seconds), so "as of" stays fresh.
    public var statusInterval: Int64 = 60

    public init() {}
}

/// One node's network life: a dedicated thread owns every ZeroMQ socket (they are not
/// thread-safe); it serves enrolled children on a ROUTER (with a ZAP handler for CURVE) and
/// keeps the link to the parent on a DEALER. `run()` blocks until `stop()`.
public final class NodeRuntime: @unchecked Sendable {
    let store: NodeStore
    let options: RuntimeOptions
    var logger: Logger
    private let stopLock = NSLock()
    private var stopRequested = false

    let context = ZMQContext()
    var zap: ZMQSocket?
    var router: ZMQSocket?
    var dealer: ZMQSocket?
    let keys: (publicKey: String, secretKey: String)
    let config: LinkConfig

    // Parent side.
    struct ChildSession {
        var lastHeardMs: Int64
        var lastSentMs: Int64 = 0
        var catalogSeq: UInt64
        var lastCatalogSentMs: Int64 = -1_000_000
        var connected = true
    }
    var children: [String: ChildSession] = [:]
    /// The routing id of the connection each child (by its ZAP User-Id) last spoke on.
    var routes: [String: [UInt8]] = [:]
    var allowedKeys: [String: String] = [:]
    var allowedKeysLoadedMs: Int64 = -1_000_000

    // Child side.
    var uplink: UplinkState
    var parentLastHeardMs: Int64 = 0
    var parentLastSentMs: Int64 = 0
    var lastHelloMs: Int64 = -1_000_000
    var reconnectAtMs: Int64 = 0
    var backoffBeats: Int64 = 1
    var parentState = "connecting"
    var parentDetail: String?
    var parentCatalogSeq: UInt64?
    /// The parent's heartbeat interval from WELCOME; liveness uses the longer of it and ours.
    var parentHeartbeatMs: Int64 = 0
    /// This node's clock minus its parent's, from the parent's heartbeats (seconds).
    var clockSkew: Int64 = 0

    var localRev: UInt64 = 0
    var localCatalogSeq: UInt64 = 0
    var lastRevCheckMs: Int64 = 0
    var lastStatusMs: Int64 = -1_000_000
    var lastLinksMs: Int64 = -1_000_000
    var lastQuestionsMs: Int64 = -1_000_000
    /// When the open cases were last checked for a passed deadline (a case becomes late by the clock alone).
    var lastSweepMs: Int64 = -1_000_000

    public init(store: NodeStore, options: RuntimeOptions = RuntimeOptions(), logger: Logger) throws {
        self.store = store
        self.options = options
        self.logger = logger
        self.logger[metadataKey: "node.id"] = .string(store.identity.id)
        keys = try store.loadKeys()
        config = try store.linkConfig()
        uplink = UplinkState(window: options.window, retransmitMs: options.retransmitMs)
    }

    public func stop() {
        stopLock.lock()
        stopRequested = true
        stopLock.unlock()
    }

    var stopping: Bool {
        stopLock.lock()
        defer { stopLock.unlock() }
        return stopRequested
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Binds and connects, then serves until `stop()`. Throws only for what an operator must fix
    /// (an endpoint that cannot be bound, missing keys); a peer's misbehaviour is logged and survived.
    public func run() throws {
        if let listen = config.listen { try startListening(listen) }
        if config.parent != nil { try openParentLink(nowMs: Self.nowMs()) }
        logger.info("serving", metadata: [
            "listen": .string(config.listenResolved ?? config.listen ?? "-"), "parent": .string(config.parent ?? "-"),
        ])
        while !stopping {
            var sockets: [ZMQSocket] = []
            if let zap { sockets.append(zap) }
            if let router { sockets.append(router) }
            if let dealer { sockets.append(dealer) }
            _ = ZMQPoll.readable(sockets, timeoutMs: 50)
            let now = Self.nowMs()
            do {
                try serviceZAP()
                try serviceRouter(nowMs: now)
                try serviceDealer(nowMs: now)
                try timers(nowMs: now)
            } catch {
                stepFailed(error, nowMs: now)
            }
        }
        try? recordLinks(nowMs: Self.nowMs(), stopped: true)
        zap?.close()
        router?.close()
        dealer?.close()
        logger.info("stopped")
    }

    var lastFailure: (text: String, loggedMs: Int64, repeats: Int)?

    /// A step failed (a full disk, a store another command holds): what it was writing was rolled
    /// back and not acknowledged, so children resend it. Logged once per cause every 10 s, not 20 times a second.
    func stepFailed(_ error: Error, nowMs: Int64) {
        let text = StoreFailure.explain(error)?.message ?? "\(error)"
        if let last = lastFailure, last.text == text, nowMs - last.loggedMs < 10_000 {
            lastFailure?.repeats += 1
            return
        }
        logger.error("a step failed; what it was writing was rolled back and not acknowledged; retrying", metadata: [
            "error": .string(text), "repeats": .stringConvertible(lastFailure?.text == text ? lastFailure!.repeats : 0),
        ])
        lastFailure = (text, nowMs, 0)
    }

    // MARK: Listening (parent side)

    func startListening(_ listen: String) throws {
        let zap = try ZMQSocket(context, .rep)
        try zap.bind("inproc://zeromq.zap.01")
        self.zap = zap
        let router = try ZMQSocket(context, .router)
        try router.set(ZMQOption.curveServer, Int32(1))
        try router.set(ZMQOption.curveSecretKey, keys.secretKey)
        try router.set(ZMQOption.zapDomain, "sanji")
        try router.set(ZMQOption.maxMessageSize, Int64(WireMessage.maxFrameBytes))
        try router.set(ZMQOption.sendHighWater, Int32(10_000))
        let endpoint = config.listenResolved ?? listen
        do {
            try router.bind(endpoint)
        } catch {
            throw SanjiError(.io, "cannot listen on \(endpoint): \(error)", hint: "is another sanji serve running on this port? change it with --listen at init")
        }
        if listen.hasSuffix(":*"), config.listenResolved == nil {
            try store.setResolvedListen(router.lastEndpoint)
        }
        self.router = router
        logger.info("listening", metadata: ["endpoint": .string(router.lastEndpoint)])
    }

    /// Answers ZAP requests: a client key is accepted only if enrolled, and the enrolled node id
    /// becomes the connection's User-Id.
    func serviceZAP() throws {
        guard let zap else { return }
        var handled = 0
        while handled < 256, let request = try zap.receive() {
            handled += 1
            let f = request.frames
            guard f.count >= 6 else { continue }
            let requestId = f[1]
            let mechanism = String(decoding: f[5], as: UTF8.self)
            var status = "400", text = "unknown key", user = ""
            if mechanism == "CURVE", f.count >= 7, let key = CurveKeyPair.z85(raw: f[6]) {
                // An unknown key may have just been enrolled: reload, but at most once a second.
                refreshAllowedKeys(nowMs: Self.nowMs(), force: allowedKeys[key] == nil && Self.nowMs() - allowedKeysLoadedMs > 1000)
                if let id = allowedKeys[key] {
                    // "<node id> <key>": the node, and the key it proved (ids have no spaces).
                    status = "200"; text = "OK"; user = id + " " + key
                } else {
                    logger.warning("refused a connection: its key is not enrolled here", metadata: [
                        "peer.key": .string(key), "peer.address": .string(String(decoding: f[3], as: UTF8.self)),
                    ])
                }
            }
            try zap.send([Array("1.0".utf8), requestId, Array(status.utf8), Array(text.utf8), Array(user.utf8), []])
        }
    }

    func refreshAllowedKeys(nowMs: Int64, force: Bool) {
        guard force || nowMs - allowedKeysLoadedMs > 2000 else { return }
        if let keys = try? store.enrolledChildKeys() { allowedKeys = keys }
        allowedKeysLoadedMs = nowMs
    }

    func serviceRouter(nowMs: Int64) throws {
        guard let router else { return }
        // ROWS that arrived together are committed together (group commit), then acknowledged;
        // any other message first flushes them, so that each child's messages keep their order.
        var rows: [(child: String, batch: SyncBatch)] = []
        var pendingRows = 0
        defer { if !rows.isEmpty { try? applyRows(rows, nowMs: nowMs) } }
        var handled = 0
        // Bounded, so that a flooding child cannot starve the timers (heartbeats, other children).
        while handled < 1000, let received = try router.receive() {
            handled += 1
            guard received.frames.count == 2 else {
                logger.warning("dropped a message of \(received.frames.count) frames (expected routing id and one body)")
                continue
            }
            // A child is who its key says (the ZAP User-Id), never what routing id it chose.
            guard let user = received.userId, let space = user.firstIndex(of: " ") else {
                logger.warning("dropped a message from a connection with no authenticated node")
                continue
            }
            let child = String(user[..<space]), key = String(user[user.index(after: space)...])
            // Checked on every message: a revoked node, or a key since replaced, is cut off even on an open connection.
            refreshAllowedKeys(nowMs: nowMs, force: false)
            guard allowedKeys[key] == child else {
                logger.warning("dropped a message from a node that is no longer enrolled here (revoked or key replaced)", metadata: ["peer.id": .string(child)])
                _ = try? router.send([received.frames[0], WireCodec.encode(.error(code: 403, reason: "\(child) is not enrolled here (revoked or its key was replaced)"))])
                children[child]?.connected = false
                continue
            }
            routes[child] = received.frames[0]
            let message: WireMessage
            do {
                message = try WireCodec.decode(received.frames[1])
            } catch {
                logger.warning("dropped a malformed frame", metadata: ["peer.id": .string(child), "reason": .string(error.reason)])
                sendToChild(child, .error(code: error.code, reason: error.reason), nowMs: nowMs)
                continue
            }
            if case .rows(let batch) = message {
                markHeard(child, nowMs: nowMs)
                rows.append((child, batch))
                pendingRows += batch.summary.count + batch.nodes.count
                // A bounded transaction: a clerk's command waiting for the write lock is not held up long.
                if pendingRows >= 8000 {
                    let pending = rows
                    rows = []
                    pendingRows = 0
                    try applyRows(pending, nowMs: nowMs)
                }
                continue
            }
            if !rows.isEmpty {
                let pending = rows
                rows = []
                pendingRows = 0
                try applyRows(pending, nowMs: nowMs)
            }
            try handleFromChild(child, message, nowMs: nowMs)
        }
        if !rows.isEmpty {
            let pending = rows
            rows = []
            try applyRows(pending, nowMs: nowMs)
        }
    }

    /// Commits batches in one transaction, then acknowledges each (nothing is acknowledged unless committed).
    func applyRows(_ batches: [(child: String, batch: SyncBatch)], nowMs: Int64) throws {
        let results = try store.applyBatches(batches)
        for ((child, batch), result) in zip(batches, results) {
            for (code, reason) in result.refused {
                logger.warning("refused rows", metadata: ["peer.id": .string(child), "code": .stringConvertible(code), "reason": .string(reason)])
                sendToChild(child, .error(code: code, reason: reason), nowMs: nowMs)
            }
            if result.gap {
                logger.info("batch beyond the cursor; asking the child to resend", metadata: [
                    "peer.id": .string(child), "cursor": .stringConvertible(result.cursor), "from": .stringConvertible(batch.fromRev),
                ])
            }
            sendToChild(child, .ack(toRev: batch.toRev, cursor: result.cursor, refused: UInt32(result.refusedRows)), nowMs: nowMs)
        }
    }

    func markHeard(_ child: String, nowMs: Int64) {
        var session = children[child] ?? ChildSession(lastHeardMs: nowMs, catalogSeq: 0)
        session.lastHeardMs = nowMs
        if !session.connected { logger.info("child is back", metadata: ["peer.id": .string(child)]) }
        session.connected = true
        children[child] = session
    }

    func sendToChild(_ child: String, _ message: WireMessage, nowMs: Int64) {
        guard let router, let route = routes[child] else { return }
        _ = try? router.send([route, WireCodec.encode(message)])
        children[child]?.lastSentMs = nowMs
    }

    func handleFromChild(_ child: String, _ message: WireMessage, nowMs: Int64) throws {
        markHeard(child, nowMs: nowMs)
        switch message {
        case .hello(let h):
            guard h.nodeId == child, Level(rawValue: h.level) != nil else {
                logger.warning("refused a HELLO that names another node or no level", metadata: ["peer.id": .string(child), "hello.node": .string(h.nodeId)])
                sendToChild(child, .error(code: 400, reason: "HELLO names \(h.nodeId) (level \(h.level)) but this connection's key is enrolled for \(child)"), nowMs: nowMs)
                return
            }
            children[child]?.catalogSeq = h.catalogSeq
            children[child]?.lastCatalogSentMs = -1_000_000
            let cursor = try store.cursor(of: child)
            logger.info("child said hello", metadata: ["peer.id": .string(child), "cursor": .stringConvertible(cursor), "peer.rev": .stringConvertible(h.rev)])
            sendToChild(child, .welcome(.init(parentId: store.identity.id, cursor: cursor, catalogSeq: localCatalogSeq,
                                              heartbeatMs: UInt32(options.heartbeatMs))), nowMs: nowMs)
        case .rows(let batch):
            try applyRows([(child, batch)], nowMs: nowMs)
        case .heartbeat(let seq, _):
            children[child]?.catalogSeq = seq
        case .error(let code, let reason):
            logger.warning("child reported an error", metadata: ["peer.id": .string(child), "code": .stringConvertible(code), "reason": .string(reason)])
        case .digest(let request, let origin, let months):
            // A child answers for itself and its enrolled subtree only, as with its rows.
            guard try store.childToward(origin) == child else {
                logger.warning("dropped a DIGEST for a node outside the child's subtree", metadata: ["peer.id": .string(child), "origin": .string(origin)])
                sendToChild(child, .error(code: 403, reason: "DIGEST of \(origin): not \(child) or a node enrolled in its subtree"), nowMs: nowMs)
                return
            }
            if try store.isOwnVerify(request) {
                try store.recordDigest(request: request, origin: origin, months: months)
            } else if config.parent != nil {
                sendToParent(message, nowMs: nowMs)
            } else {
                logger.debug("dropped a DIGEST for a question no longer asked", metadata: ["origin": .string(origin)])
            }
        case .welcome, .ack, .catalog, .verify, .heal:
            sendToChild(child, .error(code: 400, reason: "\(message.name) is sent by a parent, not a child"), nowMs: nowMs)
        }
    }

    // MARK: The link to the parent (child side)

    func openParentLink(nowMs: Int64) throws {
        guard let endpoint = config.parent else { return }
        guard let parentKey = config.parentKey else {
            throw SanjiError(.invalidArgument, "this node has a parent (\(endpoint)) but no parent key",
                             hint: "run `sanji init … --parent-key <key>` or set it with `sanji link --parent-key <key>`")
        }
        dealer?.close()
        let d = try ZMQSocket(context, .dealer)
        // Queue only on a finished connection: HELLOs sent while the parent is away are dropped,
        // not delivered in a burst when it returns.
        try d.set(ZMQOption.immediate, Int32(1))
        try d.set(ZMQOption.curveServerKey, parentKey)
        try d.set(ZMQOption.curvePublicKey, keys.publicKey)
        try d.set(ZMQOption.curveSecretKey, keys.secretKey)
        try d.set(ZMQOption.reconnectInterval, Int32(200))
        try d.set(ZMQOption.reconnectIntervalMax, Int32(5000))
        try d.set(ZMQOption.sendHighWater, Int32(1000))
        try d.connect(endpoint)
        dealer = d
        uplink.reset()
        parentLastHeardMs = nowMs
        lastHelloMs = -1_000_000
        parentState = "connecting"
    }

    /// True when the message was queued on a finished connection (ZMQ_IMMEDIATE refuses otherwise).
    @discardableResult
    func sendToParent(_ message: WireMessage, nowMs: Int64) -> Bool {
        guard let dealer, (try? dealer.send([WireCodec.encode(message)])) == true else { return false }
        parentLastSentMs = nowMs
        return true
    }

    func serviceDealer(nowMs: Int64) throws {
        guard let dealer else { return }
        var handled = 0
        while handled < 1000, let received = try dealer.receive() {
            handled += 1
            guard received.frames.count == 1 else { continue }
            parentLastHeardMs = nowMs
            backoffBeats = 1
            let message: WireMessage
            do {
                message = try WireCodec.decode(received.frames[0])
            } catch {
                logger.warning("dropped a malformed frame from the parent", metadata: ["reason": .string(error.reason)])
                if error.code == 426 { sendToParent(.error(code: 426, reason: error.reason), nowMs: nowMs) }
                continue
            }
            switch message {
            case .welcome(let w):
                // One WELCOME per HELLO round; a late duplicate must not reset batches in flight.
                guard !uplink.welcomed else { continue }
                if try store.raiseRev(atLeast: w.cursor) {
                    logger.warning("the parent has acknowledged more than this store holds (restored from an older copy?); new rows continue above its cursor",
                                   metadata: ["cursor": .stringConvertible(w.cursor)])
                    localRev = w.cursor
                }
                parentHeartbeatMs = Int64(w.heartbeatMs)
                uplink.welcome(cursor: w.cursor)
                parentCatalogSeq = w.catalogSeq
                if parentState != "up" { logger.info("linked to parent", metadata: ["peer.id": .string(w.parentId), "cursor": .stringConvertible(w.cursor)]) }
                parentState = "up"
                parentDetail = nil
                if config.parentId != w.parentId { try? store.setParentId(w.parentId) }
            case .ack(let toRev, let cursor, _):
                if case .rewound(let to) = uplink.ack(toRev: toRev, cursor: cursor) {
                    logger.info("parent asked to resend", metadata: ["cursor": .stringConvertible(to)])
                }
            case .catalog(let delta):
                if try store.applyCatalog(delta) {
                    localCatalogSeq = delta.catalogSeq
                    logger.info("catalogue updated from parent", metadata: ["catalog.seq": .stringConvertible(delta.catalogSeq), "items": .stringConvertible(delta.items.count)])
                    sendToParent(.heartbeat(catalogSeq: localCatalogSeq, time: nowMs / 1000), nowMs: nowMs)
                }
            case .heartbeat(let seq, let time):
                parentCatalogSeq = seq
                if time > 0 { clockSkew = nowMs / 1000 - time }
            case .error(let code, let reason):
                logger.warning("parent refused", metadata: ["code": .stringConvertible(code), "reason": .string(reason)])
                parentDetail = "\(code) \(reason)"
            case .verify(let request):
                // Answer for this node's own rows, and pass the question down: each answer is relayed up unchanged.
                sendToParent(.digest(request: request, origin: store.identity.id, months: try store.digests()), nowMs: nowMs)
                for (child, s) in children where s.connected { sendToChild(child, message, nowMs: nowMs) }
            case .heal(let origin, let months):
                try heal(origin: origin, months: months, nowMs: nowMs)
            case .hello, .rows, .digest:
                sendToParent(.error(code: 400, reason: "\(message.name) is sent by a child, not a parent"), nowMs: nowMs)
            }
        }
    }

    // MARK: Timers

    func timers(nowMs: Int64) throws {
        let beat = options.heartbeatMs
        if nowMs - lastRevCheckMs >= 50 {
            localRev = UInt64(try store.currentRev())
            localCatalogSeq = try store.catalogSequence()
            lastRevCheckMs = nowMs
        }
        if nowMs - lastStatusMs >= 2000 {
            let backlog = config.parent == nil ? 0 : try store.dataBacklog(above: uplink.acked)
            // Rounded to the minute, so that a second of jitter does not rewrite the status.
            let skew = (clockSkew / 60) * 60
            try store.refreshOwnStatus(interval: options.statusInterval, backlog: backlog, clockSkew: skew)
            lastStatusMs = nowMs
        }
        if nowMs - lastSweepMs >= 60_000 {
            let made = try store.sweepOverdue(now: Timestamp(seconds: nowMs / 1000))
            if made > 0 { logger.info("open cases passed their deadline", metadata: ["cases": .stringConvertible(made)]) }
            lastSweepMs = nowMs
        }
        // Parent side: heartbeats, expiry, catalogue pushes.
        for (child, s) in children {
            if s.connected, nowMs - s.lastHeardMs > beat * options.livenessBeats {
                children[child]?.connected = false
                logger.info("child went silent", metadata: ["peer.id": .string(child)])
                continue
            }
            guard s.connected else { continue }
            if s.catalogSeq < localCatalogSeq, nowMs - s.lastCatalogSentMs >= 5000, let delta = try store.catalogDelta(after: s.catalogSeq) {
                sendToChild(child, .catalog(delta), nowMs: nowMs)
                children[child]?.lastCatalogSentMs = nowMs
            }
            if nowMs - (children[child]?.lastSentMs ?? 0) >= beat {
                sendToChild(child, .heartbeat(catalogSeq: localCatalogSeq, time: nowMs / 1000), nowMs: nowMs)
            }
        }
        // Child side: hello, liveness, uplink.
        if dealer != nil {
            if nowMs - parentLastHeardMs > max(beat, parentHeartbeatMs) * options.livenessBeats {
                if nowMs >= reconnectAtMs {
                    if parentState == "up" { logger.warning("parent went silent; reconnecting") }
                    parentState = "down"
                    try openParentLink(nowMs: nowMs)
                    parentState = "down"
                    parentLastHeardMs = nowMs - beat * options.livenessBeats + beat * backoffBeats
                    reconnectAtMs = nowMs + beat * backoffBeats
                    backoffBeats = min(backoffBeats * 2, 16)
                }
            }
            // HELLO until welcomed: on every tick until one is actually sent (the connection and
            // CURVE handshake may not be finished yet), then again every 2 s without an answer.
            if !uplink.welcomed, nowMs - lastHelloMs >= 2000,
               sendToParent(.hello(.init(nodeId: store.identity.id, name: store.identity.name, level: store.identity.level.rawValue,
                                         software: SanjiVersion.string, catalogSeq: localCatalogSeq, rev: localRev)), nowMs: nowMs) {
                lastHelloMs = nowMs
            }
            if uplink.welcomed {
                if uplink.checkTimeout(nowMs: nowMs) { logger.info("no acknowledgement in time; resending", metadata: ["cursor": .stringConvertible(uplink.acked)]) }
                while let start = uplink.nextBatchStart(localRev: localRev) {
                    guard let batch = try store.readBatch(after: start, limit: options.batchRows) else { break }
                    sendToParent(.rows(batch), nowMs: nowMs)
                    uplink.sent(from: batch.fromRev, to: batch.toRev, nowMs: nowMs)
                }
            }
            if nowMs - parentLastSentMs >= beat { sendToParent(.heartbeat(catalogSeq: localCatalogSeq, time: nowMs / 1000), nowMs: nowMs) }
        }
        if router != nil, nowMs - lastQuestionsMs >= 250 {
            try sendQuestions(nowMs: nowMs)
            lastQuestionsMs = nowMs
        }
        if nowMs - lastLinksMs >= 1000 {
            try recordLinks(nowMs: nowMs, stopped: false)
            lastLinksMs = nowMs
        }
    }

    // MARK: Agreement checks (`sanji verify`)

    /// Sends down the questions and heal requests `sanji verify` filed in the store.
    func sendQuestions(nowMs: Int64) throws {
        for request in try store.unsentVerifyRequests() {
            for (child, s) in children where s.connected { sendToChild(child, .verify(request: request), nowMs: nowMs) }
            try store.markVerifySent(request)
            logger.info("asked the subtree for digests", metadata: ["children": .stringConvertible(children.values.filter(\.connected).count)])
        }
        for h in try store.unsentHeals() {
            let toward = h.origin == store.identity.id ? nil : try store.childToward(h.origin)
            if h.origin == store.identity.id || toward.map({ children[$0]?.connected == true }) == true {
                try heal(origin: h.origin, months: h.months, nowMs: nowMs)
                try store.markHealSent(h.id)
            }
        }
    }

    /// Restamps this node's rows of `months` when it is `origin`, else passes the request to the child toward it.
    func heal(origin: String, months: [String], nowMs: Int64) throws {
        if origin == store.identity.id {
            let rows = try store.restamp(months: months)
            logger.notice("sending rows again to heal a parent's copy", metadata: ["months": .string(months.joined(separator: ",")), "rows": .stringConvertible(rows)])
        } else if let child = try store.childToward(origin), children[child]?.connected == true {
            sendToChild(child, .heal(origin: origin, months: months), nowMs: nowMs)
        } else {
            logger.warning("cannot pass a heal request on: no connected child leads to its node", metadata: ["origin": .string(origin)])
        }
    }

    func recordLinks(nowMs: Int64, stopped: Bool) throws {
        let seconds = nowMs / 1000
        // "self": that this runtime is alive, for `sanji status` and healthchecks even with no links yet.
        var records = [LinkRecord(peer: "self", role: "self", endpoint: router?.lastEndpoint, state: stopped ? "stopped" : "serving",
                                  lastHeardAt: seconds, cursor: nil, catalogSeq: localCatalogSeq, detail: nil, updatedAt: seconds)]
        if let parent = config.parent {
            records.append(LinkRecord(peer: "parent", role: "parent", endpoint: parent, state: stopped ? "stopped" : parentState,
                                      lastHeardAt: parentLastHeardMs / 1000, cursor: uplink.acked, catalogSeq: parentCatalogSeq,
                                      detail: parentDetail, updatedAt: seconds))
        }
        for (child, s) in children {
            records.append(LinkRecord(peer: child, role: "child", endpoint: nil, state: stopped ? "stopped" : (s.connected ? "connected" : "silent"),
                                      lastHeardAt: s.lastHeardMs / 1000, cursor: try store.cursor(of: child), catalogSeq: s.catalogSeq,
                                      detail: nil, updatedAt: seconds))
        }
        try store.recordLinks(records)
    }
}
