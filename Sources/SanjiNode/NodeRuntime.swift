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
    /// The router's closed connections (ZeroMQ drops a connection by itself for an oversized frame).
    var monitor: ZMQSocket?
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
        /// The copy (incarnation) of the child accepted on its route.
        var incarnation = ""
    }
    var children: [String: ChildSession] = [:]
    /// The routing id of the connection each child's accepted copy speaks on.
    var routes: [String: [UInt8]] = [:]
    /// Connections that said a HELLO this node accepted, and whose they are: nothing else is taken
    /// from a connection before that (docs/protocol.md, section 5).
    var admitted: [[UInt8]: String] = [:]
    /// When a refusal (revoked, another copy, HELLO first) was last told and logged, per child and code:
    /// a refused node is told once a minute, not on every message.
    var lastTold: [String: Int64] = [:]
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

    /// Refused by the parent (revoked, another copy, an older protocol): not before this time again.
    var refusedUntilMs: Int64 = 0
    var refusalBackoffMs: Int64 = 60_000
    /// Which copy of the store this is; said in every HELLO.
    var incarnation: Incarnation
    /// The store's files as serve found them: removed or replaced under it, serve stops.
    var files: StoreFiles
    var lastFilesCheckMs: Int64 = 0
    var lastRollupRev: UInt64 = 0
    var lastRollupMs: Int64 = 0
    /// Set when a condition no retry can mend stops the node (serve then exits non-zero).
    var fatal: SanjiError?

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
        incarnation = try store.incarnation()
        files = StoreFiles.current(in: store.directory)
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
    /// (an endpoint that cannot be bound, missing keys, the store's files removed under it); a
    /// peer's misbehaviour is logged and survived.
    public func run() throws {
        if let reason = store.newIncarnationReason {
            logger.notice("\(reason); it runs as a new copy", metadata: ["incarnation": .string(incarnation.id), "after": .string(incarnation.lineage.first ?? "-")])
        }
        if let listen = config.listen { try startListening(listen) }
        if config.parent != nil { try openParentLink(nowMs: Self.nowMs()) }
        logger.info("serving", metadata: [
            "listen": .string(config.listenResolved ?? config.listen ?? "-"), "parent": .string(config.parent ?? "-"),
        ])
        while !stopping, fatal == nil {
            var sockets: [ZMQSocket] = []
            if let zap { sockets.append(zap) }
            if let router { sockets.append(router) }
            if let monitor { sockets.append(monitor) }
            if let dealer { sockets.append(dealer) }
            _ = ZMQPoll.readable(sockets, timeoutMs: 50)
            let now = Self.nowMs()
            do {
                try serviceZAP()
                try serviceMonitor()
                try serviceRouter(nowMs: now)
                try serviceDealer(nowMs: now)
                try timers(nowMs: now)
            } catch {
                stepFailed(error, nowMs: now)
            }
        }
        try? recordLinks(nowMs: Self.nowMs(), stopped: true)
        zap?.close()
        monitor?.close()
        router?.close()
        dealer?.close()
        if let fatal {
            logger.critical("stopped: \(fatal.message)", metadata: ["hint": .string(fatal.hint ?? "")])
            throw fatal
        }
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
        monitor = try router.monitorDisconnects(context, name: "sanji-router-\(ObjectIdentifier(self).hashValue)")
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

    /// Logs every connection ZeroMQ closed: a child that went away, or one whose frame was over
    /// 16 MiB or unreadable (ZeroMQ drops those connections itself, and says nothing else).
    func serviceMonitor() throws {
        guard let monitor else { return }
        while let event = try monitor.monitorEvent() {
            logger.info("a child's connection closed (it went away, or ZeroMQ dropped it for a frame over 16 MiB or one it could not read)",
                        metadata: ["event": .stringConvertible(event.event), "endpoint": .string(event.endpoint)])
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
            let route = received.frames[0]
            guard allowedKeys[key] == child else {
                refuse(child, route: route, code: 401, "\(child) is not enrolled here (revoked, or its key was replaced)", nowMs: nowMs)
                children[child]?.connected = false
                continue
            }
            let message: WireMessage
            do {
                message = try WireCodec.decode(received.frames[1])
            } catch {
                if error.code == 426, let legacy = Legacy.describe(received.frames[1]) {
                    refuse(child, route: route, code: 426, "this node runs sanji \(SanjiVersion.string) (SJP/\(WireMessage.version)); \(child) \(legacy); "
                        + "upgrade \(child) (docs/operations.md, upgrades)", nowMs: nowMs, legacyVersion: received.frames[1][2])
                    continue
                }
                logger.warning("dropped a malformed frame", metadata: ["peer.id": .string(child), "reason": .string(error.reason)])
                _ = try? router.send([route, WireCodec.encode(.error(code: error.code, reason: error.reason))])
                continue
            }
            if case .hello(let h) = message {
                if !rows.isEmpty {
                    let pending = rows
                    rows = []
                    pendingRows = 0
                    try applyRows(pending, nowMs: nowMs)
                }
                try hello(child, route: route, h, nowMs: nowMs)
                continue
            }
            guard admitted[route] == child else {
                // A connection that has not said HELLO (the parent restarted, or a copy was refused).
                refuse(child, route: route, code: 428, "say HELLO first on this connection", nowMs: nowMs, every: 2000)
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

    /// Tells a refused node why, at most once per `every` ms per node and code (a refused node
    /// retries; its parent does not answer, and log, every message). An older node gets the
    /// answer in its own version's frame, so that it can read it.
    func refuse(_ child: String, route: [UInt8], code: UInt16, _ reason: String, nowMs: Int64, every: Int64 = 60_000, legacyVersion: UInt8? = nil) {
        let key = "\(child)/\(code)"
        guard nowMs - (lastTold[key] ?? -1_000_000) >= every else { return }
        lastTold[key] = nowMs
        if code != 428 { logger.warning("refused \(child)", metadata: ["peer.id": .string(child), "code": .stringConvertible(code), "reason": .string(reason)]) }
        var frame = WireCodec.encode(.error(code: code, reason: reason))
        if let legacyVersion { frame[2] = legacyVersion }   // ERROR's layout is the same in every version
        _ = try? router?.send([route, frame])
    }

    /// A HELLO: the node is who its key says, at a known level, and a copy this node accepts.
    func hello(_ child: String, route: [UInt8], _ h: WireMessage.Hello, nowMs: Int64) throws {
        guard h.nodeId == child else {
            refuse(child, route: route, code: 400, "HELLO names \(h.nodeId), but this connection's key is enrolled for \(child)", nowMs: nowMs, every: 5000)
            return
        }
        guard Level(rawValue: h.level) != nil else {
            refuse(child, route: route, code: 400, "HELLO's level \"\(h.level)\" is not one of province, city, county, township, village", nowMs: nowMs, every: 5000)
            return
        }
        guard !h.incarnation.isEmpty else {
            refuse(child, route: route, code: 400, "HELLO carries no incarnation (which copy of the store speaks)", nowMs: nowMs, every: 5000)
            return
        }
        // The accepted copy is elsewhere only if it spoke recently on another connection.
        let other = children[child].map { s in s.connected && s.incarnation != h.incarnation && routes[child] != route
            && nowMs - s.lastHeardMs <= options.heartbeatMs * options.livenessBeats } ?? false
        switch try store.admit(child: child, incarnation: h.incarnation, lineage: h.lineage, currentConnected: other, now: Timestamp(seconds: nowMs / 1000)) {
        case .refused(let current):
            refuse(child, route: route, code: 423, "another copy of \(child) is running (\(current)); this copy (\(h.incarnation)) is refused. "
                + "Retire one (sanji retire) and keep the other at the parent (sanji copies keep); docs/operations.md", nowMs: nowMs)
            return
        case .handedOver(let previous):
            logger.notice("a new copy of the child took over (moved or restored)", metadata: [
                "peer.id": .string(child), "incarnation": .string(h.incarnation), "previous": .string(previous),
            ])
        case .accepted: break
        }
        for (r, c) in admitted where c == child && r != route { admitted[r] = nil }
        admitted[route] = child
        routes[child] = route
        markHeard(child, nowMs: nowMs)
        children[child]?.incarnation = h.incarnation
        children[child]?.catalogSeq = h.catalogSeq
        children[child]?.lastCatalogSentMs = -1_000_000
        let cursor = try store.cursor(of: child)
        logger.info("child said hello", metadata: ["peer.id": .string(child), "cursor": .stringConvertible(cursor), "peer.rev": .stringConvertible(h.rev)])
        sendToChild(child, .welcome(.init(parentId: store.identity.id, cursor: cursor, catalogSeq: localCatalogSeq,
                                          heartbeatMs: UInt32(options.heartbeatMs))), nowMs: nowMs)
    }

    func handleFromChild(_ child: String, _ message: WireMessage, nowMs: Int64) throws {
        markHeard(child, nowMs: nowMs)
        switch message {
        case .hello:
            break   // handled before a connection is admitted (`hello`)
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

    /// The parent refused this node for a reason a retry cannot mend (revoked, another copy of
    /// the station, an older protocol): the link is closed, and tried again after a minute, then
    /// after longer (up to 15 minutes), with one log line each time.
    func refused(by reason: String, nowMs: Int64) {
        logger.warning("the parent refused this node; trying again in \(refusalBackoffMs / 1000) s", metadata: ["reason": .string(reason)])
        parentState = "refused"
        parentDetail = reason
        dealer?.close()
        dealer = nil
        uplink.reset()
        refusedUntilMs = nowMs + refusalBackoffMs
        refusalBackoffMs = min(refusalBackoffMs * 2, 15 * 60_000)
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
                if error.code == 426, let legacy = Legacy.describe(received.frames[0]) {
                    // An older parent: it cannot read this node's frames, nor this node its. Waiting is all there is.
                    refused(by: "the parent \(legacy); this node runs sanji \(SanjiVersion.string) (SJP/\(WireMessage.version)): "
                        + "upgrade the parent first (docs/operations.md, upgrades)", nowMs: nowMs)
                    return
                }
                logger.warning("dropped a malformed frame from the parent", metadata: ["reason": .string(error.reason)])
                continue
            }
            switch message {
            case .welcome(let w):
                // One WELCOME per HELLO round; a late duplicate must not reset batches in flight.
                guard !uplink.welcomed else { continue }
                if let next = try store.recoverFromRollback(parentCursor: w.cursor) {
                    // The store lost work the parent had (restored in place, its write-ahead log removed):
                    // a new copy, every own row stamped above the parent's cursor, and HELLO again as it.
                    logger.warning("the parent has acknowledged more than this store holds; it continues as a new copy and sends all its rows again",
                                   metadata: ["cursor": .stringConvertible(w.cursor), "incarnation": .string(next.id)])
                    incarnation = next
                    localRev = UInt64(try store.currentRev())
                    uplink.reset()
                    lastHelloMs = -1_000_000
                    continue
                }
                refusalBackoffMs = 60_000
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
                switch code {
                case 401, 423, 426:
                    // Revoked, another copy running, or a protocol this node cannot speak: retrying at once changes nothing.
                    refused(by: "\(code) \(reason)", nowMs: nowMs)
                    return
                case 428:
                    // The parent does not know this connection (it restarted): HELLO again.
                    uplink.reset()
                    lastHelloMs = -1_000_000
                default:
                    logger.warning("parent refused", metadata: ["code": .stringConvertible(code), "reason": .string(reason)])
                    parentDetail = "\(code) \(reason)"
                }
            case .verify(let request):
                // Answer for this node's own rows, and pass the question down: each answer is relayed up unchanged.
                sendToParent(.digest(request: request, origin: store.identity.id, months: try store.digests()), nowMs: nowMs)
                for (child, s) in children where s.connected { sendToChild(child, message, nowMs: nowMs) }
            case .heal(let origin, let months, let seal):
                try heal(origin: origin, months: months, seal: seal, nowMs: nowMs)
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
        // Child side: after a refusal, the link is tried again when its time comes.
        if dealer == nil, config.parent != nil, nowMs >= refusedUntilMs {
            try openParentLink(nowMs: nowMs)
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
                                         software: SanjiVersion.string, catalogSeq: localCatalogSeq, rev: localRev,
                                         incarnation: incarnation.id, lineage: incarnation.lineage)), nowMs: nowMs) {
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
        if nowMs - lastFilesCheckMs >= 1000 {
            checkFiles()
            lastFilesCheckMs = nowMs
        }
        // Keep the monthly rollups current, so that readers rarely sum daily rows themselves.
        if localRev != lastRollupRev, nowMs - lastRollupMs >= 10_000 {
            if try store.refreshRollups(wait: false) { lastRollupRev = localRev }
            lastRollupMs = nowMs
        }
    }

    /// The store's files removed or replaced under the node (a disk cleaner, an operator): every
    /// write from here on would go where no one reads it, so the node stops writing and exits
    /// non-zero (systemd and compose restart it, on whatever the files are then).
    func checkFiles() {
        let now = StoreFiles.current(in: store.directory)
        if files.wal == nil, now.wal != nil { files.wal = now.wal }   // the log appears with the first write
        guard let change = now.change(since: files, directory: store.directory) else { return }
        store.saveWhatCanBeSaved()
        fatal = SanjiError(.io, change, hint: "committed work since the last checkpoint may be lost: see docs/operations.md (a store's files removed); "
            + "then `sanji verify` at the county shows what it holds that this station no longer has")
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
                try heal(origin: h.origin, months: h.months, seal: h.seal, nowMs: nowMs)
                try store.markHealSent(h.id)
            }
        }
    }

    /// Restamps this node's rows of `months` when it is `origin` (and seals the months if asked),
    /// else passes the request to the child toward it.
    func heal(origin: String, months: [String], seal: Bool, nowMs: Int64) throws {
        if origin == store.identity.id {
            let rows = try store.restamp(months: months, seal: seal)
            logger.notice(seal ? "sending rows again, sealed: parents drop what this node no longer has" : "sending rows again to heal a parent's copy",
                          metadata: ["months": .string(months.joined(separator: ",")), "rows": .stringConvertible(rows)])
        } else if let child = try store.childToward(origin), children[child]?.connected == true {
            sendToChild(child, .heal(origin: origin, months: months, seal: seal), nowMs: nowMs)
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
