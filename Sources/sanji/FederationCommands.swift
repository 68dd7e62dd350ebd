import ArgumentParser
import Dispatch
import Foundation
import Logging
import SanjiBus
import SanjiCore
import SanjiReport
import SanjiNode
import SanjiStore

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "This node's CURVE keys.",
        subcommands: [Show.self, Rotate.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print this node's public key (give it to the parent for `sanji enroll`).")
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                print(try options.open().keys.load().publicKey)
            }
        }
    }
}

struct Enroll: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enrol a child node: only enrolled keys may connect, and a child speaks only for its own subtree.",
        discussion: """
            From the child's join request (`sanji join-request` wrote it there), writing back the welcome file
            the child initialises from; no key is typed:
              sanji enroll 340321100201.join --data ./county          # writes 340321100201.welcome beside it
              sanji enroll 340321100201.join --endpoint tcp://10.1.2.3:7701 --data ./county
            The welcome names where the child connects: this node's --listen endpoint, or --endpoint when it
            listens on all addresses (tcp://0.0.0.0:…) and the child must be told which one reaches it.

            Or with the child's id and the public key its `sanji init` printed (for scripts):
              sanji enroll --id 340321100 --key 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7' --name 城关镇为民服务中心 --data ./county
            Quote the key ('…'): it holds characters the shell interprets. A key that begins with '-' is still
            --key's value when it follows it.
            Enrolling a known child again replaces its key (after `sanji keys` were remade there).
            """)

    @Argument(help: ArgumentHelp("The child's join request (a .join file).", valueName: "file")) var file: String?
    @Option(help: ArgumentHelp("The child's node id.", valueName: "id")) var id: String?
    @Option(help: ArgumentHelp("The child's public key, quoted: --key '…'.", valueName: "key")) var key: String?
    @Option(help: ArgumentHelp("The child's name (default: its id until it reports).", valueName: "name")) var name: String?
    @Option(help: ArgumentHelp("The child's level (default: the level below this node).", valueName: "level")) var level: Level?
    @Option(help: ArgumentHelp("With a .join file: where to write the welcome (default: <id>.welcome beside the .join).", valueName: "file"))
    var out: String?
    @Option(help: ArgumentHelp("With a .join file: the endpoint the child reaches this node at, e.g. tcp://10.1.2.3:7701 (default: --listen's).", valueName: "endpoint"))
    var endpoint: String?
    @OptionGroup var options: DataOptions

    func validate() throws {
        if file != nil {
            if id != nil || key != nil || name != nil || level != nil { throw ValidationError("a .join file says the child's id, key, name and level; give the file or the flags, not both") }
            if let endpoint, !(endpoint.hasPrefix("tcp://") || endpoint.hasPrefix("ipc://")) { throw ValidationError("--endpoint \(endpoint) is not an endpoint; use tcp://host:port") }
            return
        }
        if out != nil || endpoint != nil { throw ValidationError("--out and --endpoint go with a .join file") }
        guard let id, let key else { throw ValidationError("give the child's join request (sanji enroll 340321100201.join), or --id and --key") }
        if NodeIdentity.validate(id: id) != nil || id.isEmpty { throw ValidationError("--id \(id) is not a node id") }
        if !CurveKeyPair.isValidKey(key) { throw ValidationError("--key is not a CURVE public key (40 characters of Z85, as `sanji keys show` prints)") }
    }

    func run() throws {
        try Console.run {
            let store = try options.open()
            guard let file else {
                let e = try store.enroll(id: id!, publicKey: key!, name: name, level: level)
                print("enrolled \(e.level.rawValue) node \(e.subject) (\(e.name)) under \(e.parent)")
                return
            }
            let request = try JoinRequest.parse(String(decoding: try Console.read(file), as: UTF8.self), file: file)
            guard CurveKeyPair.isValidKey(request.publicKey) else { throw SanjiError(.invalidArgument, "\(file): public-key: not a CURVE public key") }
            let reach = try Self.endpoint(endpoint, of: store)
            let e = try store.enroll(id: request.id, publicKey: request.publicKey, name: request.name, level: request.level)
            let welcome = Welcome(station: request, parentId: store.identity.id, parentName: store.identity.name, parentEndpoint: reach,
                                  parentKey: try store.keys.load().publicKey)
            let path = out ?? URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("\(request.id).welcome").path
            try Console.write(welcome.text, to: path)
            print("enrolled \(e.level.rawValue) node \(e.subject) (\(e.name)) under \(e.parent)")
            print("wrote \(path): give it back to the station; there: sanji init --welcome \(request.id).welcome, then sanji serve")
        }
    }

    /// Where a child reaches this node: `--endpoint`, else the endpoint it listens on, unless that
    /// is every address (the child must be told which one).
    static func endpoint(_ given: String?, of store: NodeStore) throws -> String {
        if let given { return given }
        let config = try store.linkConfig()
        guard let listen = config.listenResolved ?? config.listen else {
            throw SanjiError(.invalidArgument, "this node listens for no children (it was made without --listen)",
                             hint: "a parent listens: make it with `sanji init … --listen tcp://0.0.0.0:7701`")
        }
        let wildcard = ["tcp://0.0.0.0:", "tcp://*:", "tcp://[::]:", "tcp://::"].contains { listen.hasPrefix($0) } || listen.hasSuffix(":*")
        if wildcard {
            throw SanjiError(.invalidArgument, "this node listens on \(listen), which is no address a child can reach",
                             hint: "say which one reaches it: --endpoint tcp://<this PC's address>:\(listen.split(separator: ":").last ?? "7701")")
        }
        return listen
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the node: serve enrolled children and keep the link to the parent. Ctrl-C or SIGTERM stops it cleanly.",
        discussion: "Run it under systemd or docker; everything it needs is in the data directory.")

    @Option(help: ArgumentHelp("How much to log.", valueName: "level")) var logLevel: Logger.Level = .info
    @Option(help: ArgumentHelp("text, or json (one object per line, for log collectors).", valueName: "format")) var logFormat: LogFormat = .text
    @Option(help: ArgumentHelp("Write Prometheus metrics here every 15 s (a .prom file in node_exporter's textfile directory).", valueName: "file"))
    var metricsFile: String?
    @Option(help: .hidden) var metricsMs: Int64 = 15_000
    @Option(help: ArgumentHelp("Import each CSV file dropped here once it stops growing (cases, evaluations or 咨询, by its header); moved to done/ or failed/ (with NAME.errors.txt).", valueName: "dir"))
    var importDir: String?
    @Option(help: .hidden) var importScanMs: Int = 2000
    @Option(help: .hidden) var heartbeatMs: Int64 = 1000
    @Option(help: .hidden) var statusInterval: Int64 = 60
    @OptionGroup var options: DataOptions

    func validate() throws {
        if heartbeatMs < 50 { throw ValidationError("--heartbeat-ms must be at least 50") }
        if metricsMs < 100 { throw ValidationError("--metrics-ms must be at least 100") }
        if let metricsFile {
            let directory = URL(fileURLWithPath: metricsFile).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--metrics-file \(metricsFile): no directory \(directory)")
            }
            if !metricsFile.hasSuffix(".prom") { throw ValidationError("--metrics-file \(metricsFile): node_exporter reads only files ending in .prom") }
        }
    }

    func run() throws {
        try Console.run {
            let store = try options.open(busyTimeout: 0.5)
            let lock = try ServeLock.acquire(in: options.directory)
            defer { withExtendedLifetime(lock) {} }
            let level = logLevel
            let json = logFormat == .json
            let zone = TimeZone(identifier: store.identity.timeZone) ?? .current
            LoggingSystem.bootstrap { label in
                if json { return JSONLogHandler(label: label, level: level, timeZone: zone) }
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = level
                return h
            }
            var runtimeOptions = RuntimeOptions()
            runtimeOptions.heartbeatMs = heartbeatMs
            runtimeOptions.statusInterval = statusInterval
            runtimeOptions.metricsFile = metricsFile.map { URL(fileURLWithPath: $0).path }
            runtimeOptions.metricsMs = metricsMs
            let runtime = try NodeRuntime(store: store, options: runtimeOptions, logger: Logger(label: "sanji"))
            let stop = runtime.stopHandle
            var sources: [DispatchSourceSignal] = []
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { stop.stop() }
                source.resume()
                sources.append(source)
            }
            // The watcher writes through a store of its own (another connection pool): an import's
            // long transaction then makes the links' writes busy for a moment (they retry), instead
            // of queueing them behind it in this process.
            let watcher = try importDir.map {
                Watcher(try ImportFolder(store: try options.open(busyTimeout: 10), directory: URL(fileURLWithPath: $0)), everyMs: importScanMs, until: stop)
            }
            defer { watcher?.stop() }
            try runtime.run()
            _ = sources
        }
    }
}

extension Serve {
    /// The import folder's own thread: a look every `everyMs` until serve stops. It writes through
    /// a store of its own, so an import is to the links what an import at the shell is: another
    /// connection holding the writer for a moment.
    final class Watcher: @unchecked Sendable {
        private let done = NSCondition()
        private var finished = false
        private var stopped = false

        init(_ folder: ImportFolder, everyMs: Int, until handle: NodeRuntime.StopHandle) {
            let logger = Logger(label: "sanji")
            logger.info("watching for files to import", metadata: ["dir": .string(folder.directory.path)])
            Thread.detachNewThread { [self] in
                while !handle.isStopped, !isStopped {
                    for outcome in folder.scan() {
                        switch outcome {
                        case .imported(let file, let report): logger.info("imported \(file): \(report)", metadata: ["file": .string(file)])
                        case .failed(let file, let problems):
                            logger.warning("could not import \(file): \(problems) problem(s); it is in failed/ with \(file).errors.txt", metadata: ["file": .string(file)])
                        case .deferred(let file, let reason):
                            logger.notice("\(file) is left for a later look: \(reason)", metadata: ["file": .string(file)])
                        }
                    }
                    done.lock()
                    if !stopped { _ = done.wait(until: Date().addingTimeInterval(Double(everyMs) / 1000)) }
                    done.unlock()
                }
                done.lock()
                finished = true
                done.broadcast()
                done.unlock()
            }
        }

        private var isStopped: Bool {
            done.lock()
            defer { done.unlock() }
            return stopped
        }

        /// Stops the thread after the file in hand and waits for it.
        func stop() {
            done.lock()
            stopped = true
            done.broadcast()
            while !finished { done.wait() }
            done.unlock()
        }
    }
}

extension Status {
    func healthCheck(_ store: NodeStore) throws {
        let links = try store.links()
        switch try store.serveState() {
        case .notRunning:
            Console.error("unhealthy: sanji serve is not running")
            throw ExitCode(1)
        case .busy(_, let silent) where silent > 30:
            Console.error("unhealthy: sanji serve has not written for \(silent) s (the store is busy)")
            throw ExitCode(1)
        default: break
        }
        if !store.identity.isRoot, links.first(where: { $0.role == .parent })?.state != .up {
            Console.error("unhealthy: the link to the parent is not up")
            throw ExitCode(1)
        }
        print("healthy")
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Link state, parent and children last seen, backlog (rows not yet acknowledged), catalogue sequence.")

    @Option(help: "table or json.") var format: OutputFormat = .table
    @Flag(help: "Exit 0 only if sanji serve is running and the parent link (if any) is up: for healthchecks.") var check = false
    @OptionGroup var options: DataOptions

    func run() throws {
        try Console.run {
            let store = try options.open(allowRetired: true)
            if check { return try healthCheck(store) }
            let config = try store.linkConfig()
            let links = try store.links()
            let parent = links.first { $0.role == .parent }
            let backlog = config.parent == nil ? 0 : try store.backlog(above: parent?.cursor ?? 0)
            let serve = try store.serveState()
            let serving = serve.isRunning
            let children = links.filter { $0.role == .child }
            let seq = try store.catalogSequence()
            let z = store.zone
            func time(_ t: Int64?) -> String { t.map { z.format(Timestamp(seconds: $0)) } ?? "never" }
            if format == .json {
                let parentJSON: JSONValue
                if let p = parent {
                    parentJSON = .object([
                        ("endpoint", .string(p.endpoint ?? "")), ("id", config.parentId.map(JSONValue.string) ?? .null), ("state", .string(p.state.rawValue)),
                        ("last_heard_at", p.lastHeardAt.map { .string(time($0)) } ?? .null), ("acknowledged_rev", .int(Int(p.cursor ?? 0))),
                        ("backlog", .int(backlog)), ("detail", p.detail.map(JSONValue.string) ?? .null),
                    ])
                } else if let endpoint = config.parent {
                    parentJSON = .object([("endpoint", .string(endpoint)), ("state", .string("not started")), ("backlog", .int(backlog))])
                } else {
                    parentJSON = .null
                }
                print(JSONValue.object([
                    ("node", .object([("id", .string(store.identity.id)), ("name", .string(store.identity.name)), ("level", .string(store.identity.level.rawValue))])),
                    ("serving", .bool(serving)), ("serve", .string(serve.text)),
                    ("incarnation", .string(try store.incarnation().id)),
                    ("listen", config.listenResolved.map(JSONValue.string) ?? config.listen.map(JSONValue.string) ?? .null),
                    ("public_key", .string(try store.keys.load().publicKey)),
                    ("catalog_sequence", .int(Int(seq))),
                    ("rev", .int(try store.currentRev())),
                    ("parent", parentJSON),
                    ("children", .array(children.map { c in .object([
                        ("id", .string(c.peer)), ("state", .string(c.state.rawValue)), ("last_heard_at", .string(time(c.lastHeardAt))),
                        ("cursor", .int(Int(c.cursor ?? 0))), ("catalog_sequence", .int(Int(c.catalogSeq ?? 0))),
                    ]) })),
                ]).render())
                return
            }
            print("\(store.identity.name)  (\(store.identity.id), \(store.identity.level.rawValue))")
            print("sanji serve: \(serve.text)")
            print("this copy:   \(try store.incarnation().id)\(try store.retired().map { " — retired \($0)" } ?? "")")
            if let listen = config.listenResolved ?? config.listen { print("listening:   \(listen)") }
            print("catalogue:   sequence \(seq)\(config.parent == nil ? " (root)" : "")")
            if let p = parent {
                print("parent:      \(p.endpoint ?? "") \(config.parentId.map { "(\($0))" } ?? "") — \(p.state.rawValue), last heard \(time(p.lastHeardAt))")
                print("             acknowledged up to rev \(p.cursor ?? 0); backlog \(NumberText.thousands(backlog)) row(s)\(p.detail.map { "; last refusal: \($0)" } ?? "")")
            } else if let endpoint = config.parent {
                print("parent:      \(endpoint) — not linked yet; backlog \(NumberText.thousands(backlog)) row(s)")
            }
            if !children.isEmpty {
                var t = TextTable(headers: ["child", "state", "last heard", "cursor", "catalogue"], alignments: [.left, .left, .left, .right, .right])
                for c in children { t.add([c.peer, c.state.rawValue, time(c.lastHeardAt), String(c.cursor ?? 0), String(c.catalogSeq ?? 0)]) }
                print(t.render(indent: "  "))
            }
        }
    }
}
