import Foundation
import SanjiCore
import SanjiStore
import SanjiBus
import SanjiSpawn
#if canImport(Glibc)
import Glibc
#endif

/// What `sanji cluster` does, apart from argument parsing.
enum ClusterPlan {
    struct Loaded {
        let topology: Topology
        let items: URL?
        let calendars: [URL]
        /// windows.csv: each station's windows (id, name, kind), by station id.
        var windows: [String: [(id: String, name: String, kind: String)]] = [:]
        /// targets.csv: the root's yearly targets.
        var targets: [(year: Int, levels: [Level], node: String?, accepted: Int)] = []
        /// report/: the county's own templates of the 通报, copied to the root's data directory.
        var report: URL?
    }

    static func load(_ folder: String) throws -> Loaded {
        let dir = URL(fileURLWithPath: folder)
        let file = dir.appendingPathComponent("topology.csv")
        do {
            let topology = try Topology.parse(name: file.path, bytes: try Console.read(file.path))
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            let items = entries.contains("items.csv") ? dir.appendingPathComponent("items.csv") : nil
            let calendars = entries.filter { $0.hasPrefix("calendar") && $0.hasSuffix(".csv") }.sorted().map { dir.appendingPathComponent($0) }
            var loaded = Loaded(topology: topology, items: items, calendars: calendars)
            if entries.contains("windows.csv") { loaded.windows = try windows(dir.appendingPathComponent("windows.csv"), topology: topology) }
            if entries.contains("targets.csv") { loaded.targets = try targets(dir.appendingPathComponent("targets.csv"), topology: topology) }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("report").path, isDirectory: &isDir), isDir.boolValue {
                loaded.report = dir.appendingPathComponent("report")
            }
            return loaded
        } catch let e as CSVFile.Rejected {
            throw ImportRejected(file: file.path, issues: e.issues)
        }
    }

    /// windows.csv: `station,window,name,kind`; every station must be in the topology.
    static func windows(_ url: URL, topology: Topology) throws -> [String: [(id: String, name: String, kind: String)]] {
        let file = try CSVFile(name: url.path, bytes: try Console.read(url.path), required: ["station", "window"], optional: ["name", "kind"])
        let known = Set(topology.nodes.map(\.id))
        var out: [String: [(id: String, name: String, kind: String)]] = [:]
        var issues: [RowIssue] = []
        var records = file.records()
        while let r = records.next() {
            let station = file.value(r, "station"), window = file.value(r, "window")
            guard known.contains(station) else {
                issues.append(RowIssue(file: url.path, line: r.line, field: "station", message: "\(station) is not a station of topology.csv"))
                continue
            }
            guard !window.isEmpty else {
                issues.append(RowIssue(file: url.path, line: r.line, field: "window", message: "is empty; give the 窗口编号"))
                continue
            }
            let kind = file.value(r, "kind")
            out[station, default: []].append((window, file.value(r, "name"), kind.isEmpty ? "综合" : kind))
        }
        if let syntax = records.syntaxIssue { issues.append(syntax) }
        guard issues.isEmpty else { throw ImportRejected(file: url.path, issues: issues) }
        return out
    }

    /// targets.csv: `year,levels,node,accepted` (levels `county` or `township|village`; or a node id).
    static func targets(_ url: URL, topology: Topology) throws -> [(year: Int, levels: [Level], node: String?, accepted: Int)] {
        let file = try CSVFile(name: url.path, bytes: try Console.read(url.path), required: ["year", "accepted"], optional: ["levels", "node"])
        let known = Set(topology.nodes.map(\.id))
        var out: [(year: Int, levels: [Level], node: String?, accepted: Int)] = []
        var issues: [RowIssue] = []
        var records = file.records()
        while let r = records.next() {
            func issue(_ field: String, _ message: String) { issues.append(RowIssue(file: url.path, line: r.line, field: field, message: message)) }
            guard let year = Int(file.value(r, "year")), (2000...2100).contains(year) else { issue("year", "\"\(file.value(r, "year"))\" is not a year"); continue }
            guard let accepted = Int(file.value(r, "accepted")), accepted > 0 else { issue("accepted", "is not a number of cases above 0"); continue }
            let node = file.value(r, "node")
            let levelWords = file.value(r, "levels").split(separator: "|").map(String.init)
            let levels = levelWords.compactMap { Level(rawValue: $0) }
            if !node.isEmpty {
                guard known.contains(node), levels.isEmpty else { issue("node", "\(node) is not a station of topology.csv, or levels is given too"); continue }
                out.append((year, [], node, accepted))
            } else {
                guard !levels.isEmpty, levels.count == levelWords.count else { issue("levels", "name levels (county, township|village) or a node"); continue }
                out.append((year, levels, nil, accepted))
            }
        }
        if let syntax = records.syntaxIssue { issues.append(syntax) }
        guard issues.isEmpty else { throw ImportRejected(file: url.path, issues: issues) }
        return out
    }

    static func service(_ id: String) -> String { "node-\(id)" }

    /// Makes a node's store, keys and link configuration; enrols it at its parent; the root gets the catalogue.
    static func initialise(_ node: Topology.Node, in data: URL, plan: Loaded, listen: String?, parent: String?, parentKey: String?, clusterDir: URL) throws {
        let keys = try CurveKeyPair.generate()
        let store = try NodeStore.create(in: data, identity: NodeIdentity(id: node.id, name: node.name, level: node.level, parent: parent))
        try store.keys.save(keys)
        try store.setLinkConfig(listen: listen, parentKey: parentKey)
        for w in plan.windows[node.id] ?? [] { try store.addWindow(w.id, name: w.name, kind: w.kind) }
        if let p = node.parent {
            _ = try NodeStore.open(in: clusterDir.appendingPathComponent(p)).enroll(id: node.id, publicKey: keys.publicKey, name: node.name, level: node.level)
        } else {
            if let items = plan.items { _ = try store.importCatalog(name: items.path, bytes: try Console.read(items.path)) }
            for c in plan.calendars { _ = try store.importCalendar(name: c.path, bytes: try Console.read(c.path)) }
            if let report = plan.report {
                let target = data.appendingPathComponent("report")
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                for name in try FileManager.default.contentsOfDirectory(atPath: report.path) where name.hasSuffix(".mustache") {
                    try FileManager.default.copyItem(at: report.appendingPathComponent(name), to: target.appendingPathComponent(name))
                }
            }
        }
    }

    /// Sets targets.csv's targets at the root (again on every `up`: a target is replaced, not added).
    static func applyTargets(_ plan: Loaded, clusterDir: URL) throws {
        guard !plan.targets.isEmpty else { return }
        let root = try NodeStore.open(in: clusterDir.appendingPathComponent(plan.topology.root.id))
        for t in plan.targets { _ = try root.setTarget(year: t.year, levels: t.levels, node: t.node, accepted: t.accepted) }
    }

    static func saveTopologyPath(_ folder: String, in dir: URL) throws {
        try URL(fileURLWithPath: folder).standardizedFileURL.path.write(to: dir.appendingPathComponent("topology-path"), atomically: true, encoding: .utf8)
    }

    /// The node directories of a cluster, parents first.
    static func nodeIds(in dir: URL) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let stores = entries.filter { NodeStore.exists(in: dir.appendingPathComponent($0)) }
        let levels = Dictionary(uniqueKeysWithValues: stores.map { id in (id, (try? NodeStore.open(in: dir.appendingPathComponent(id)).identity.level.depth) ?? 9) })
        return stores.sorted { (levels[$0]!, $0) < (levels[$1]!, $1) }
    }

    /// Waits until a node has bound its (possibly wildcard) endpoint, and returns it.
    static func waitForEndpoint(_ store: NodeStore, timeout: TimeInterval = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let e = try store.linkConfig().listenResolved ?? store.linkConfig().listen.flatMap({ $0.hasSuffix(":*") ? nil : $0 }) { return e }
            usleep(50_000)
        }
        throw SanjiError(.io, "\(store.identity.id) did not start listening within \(Int(timeout)) s", hint: "see \(store.directory.path)/serve.log")
    }

    // MARK: Processes

    static func pidFile(_ id: String, _ dir: URL) -> URL { dir.appendingPathComponent(id).appendingPathComponent("serve.pid") }

    /// The pid of a running `sanji serve` for this node (a stale pid file, or a pid reused by
    /// another program, counts as not running).
    static func pid(of id: String, in dir: URL) -> pid_t? {
        guard let text = try? String(contentsOf: pidFile(id, dir), encoding: .utf8), let pid = pid_t(text.trimmingSpaces), pid > 0,
              kill(pid, 0) == 0,
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return nil }
        let args = String(decoding: cmdline, as: UTF8.self).split(separator: "\0").map(String.init)
        return args.contains("serve") && args.contains(dir.appendingPathComponent(id).path) ? pid : nil
    }

    /// Starts `sanji serve` for a node in its own session (it outlives this command and the
    /// terminal), logging to serve.log; false when it was already running.
    @discardableResult
    static func start(_ id: String, in dir: URL, heartbeatMs: Int) throws -> Bool {
        guard pid(of: id, in: dir) == nil else { return false }
        let data = dir.appendingPathComponent(id)
        guard NodeStore.exists(in: data) else { throw SanjiError(.notInitialized, "no node \(id) in \(dir.path)") }
        let log = data.appendingPathComponent("serve.log").path
        let pid: pid_t
        do {
            pid = try Spawn.start(Spawn.currentExecutable, ["serve", "--data", data.path, "--heartbeat-ms", String(heartbeatMs)],
                                  Spawn.Options(stdout: .file(log, append: true), stderrToStdout: true, newSession: true))
        } catch {
            throw SanjiError(.io, "cannot start sanji serve for \(id): \(error)")
        }
        try String(pid).write(to: pidFile(id, dir), atomically: true, encoding: .utf8)
        return true
    }

    /// Stops a node: SIGTERM, then SIGKILL if it has not ended within 10 s. False when it was not running.
    @discardableResult
    static func stop(_ id: String, in dir: URL) -> Bool {
        guard let pid = pid(of: id, in: dir) else { return false }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0, Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { break }
            usleep(50_000)
        }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: pidFile(id, dir))
        return true
    }

    // MARK: docker-compose

    /// A docker-compose.yml for the topology: a one-shot provision service that makes every
    /// node's keys and enrolments in its own volume, then one service per node.
    static func compose(_ plan: Loaded, folder: String) -> String {
        let t = plan.topology
        var y = """
            # A whole county, one container per station: generated by
            #   sanji cluster compose \(folder) > docker-compose.yml
            # (a test checks that this file matches the topology). `docker-compose up -d` builds the image
            # once (the provision service; or use scripts/image.sh, which needs no Docker Hub), provisions
            # every node once (keys, enrolments, catalogue) into its own volume, and starts them. Each
            # station logs JSON lines in its node's time zone; serve exits non-zero on what it cannot mend
            # (restart: brings it back), and the healthcheck shows a silent or stopped serve within 20 s.
            version: "3.8"

            x-sanji: &sanji
              image: sanji:latest
              pull_policy: never
              restart: unless-stopped
              command: ["serve", "--data", "/var/lib/sanji", "--log-format", "json"]
              healthcheck:
                test: ["CMD", "sanji", "status", "--check", "--data", "/var/lib/sanji"]
                interval: 5s
                timeout: 5s
                retries: 3
                start_period: 20s

            services:
              provision:
                build: .
                image: sanji:latest
                user: "0"
                entrypoint: ["/bin/sh", "-c", "sanji cluster provision /etc/sanji/topology --dir /provision && chown -R sanji:sanji /provision"]
                volumes:
                  - ./\(folder):/etc/sanji/topology:ro

            """
        for n in t.nodes { y += "      - \(service(n.id)):/provision/\(n.id)\n" }
        for n in t.nodes {
            y += """

                  \(service(n.id)):
                    <<: *sanji
                    hostname: \(service(n.id))
                    volumes:
                      - \(service(n.id)):/var/lib/sanji
                    depends_on:
                      provision:
                        condition: service_completed_successfully

                """
            if let p = n.parent { y += "      \(service(p)):\n        condition: service_started\n" }
            if n.parent == nil, let port = n.port { y += "    ports:\n      - \"\(port):\(port)\"\n" }
        }
        y += "\nvolumes:\n"
        for n in t.nodes { y += "  \(service(n.id)): {}\n" }
        return y
    }
}
