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
    }

    static func load(_ folder: String) throws -> Loaded {
        let dir = URL(fileURLWithPath: folder)
        let file = dir.appendingPathComponent("topology.csv")
        do {
            let topology = try Topology.parse(name: file.path, bytes: try Console.read(file.path))
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            let items = entries.contains("items.csv") ? dir.appendingPathComponent("items.csv") : nil
            let calendars = entries.filter { $0.hasPrefix("calendar") && $0.hasSuffix(".csv") }.sorted().map { dir.appendingPathComponent($0) }
            return Loaded(topology: topology, items: items, calendars: calendars)
        } catch let e as CSVFile.Rejected {
            throw ImportRejected(file: file.path, issues: e.issues)
        }
    }

    static func service(_ id: String) -> String { "node-\(id)" }

    /// Makes a node's store, keys and link configuration; enrols it at its parent; the root gets the catalogue.
    static func initialise(_ node: Topology.Node, in data: URL, plan: Loaded, listen: String?, parent: String?, parentKey: String?, clusterDir: URL) throws {
        let keys = try CurveKeyPair.generate()
        let store = try NodeStore.create(in: data, identity: NodeIdentity(id: node.id, name: node.name, level: node.level, parent: parent))
        try store.keys.save(keys)
        try store.setLinkConfig(listen: listen, parentKey: parentKey)
        if let p = node.parent {
            _ = try NodeStore.open(in: clusterDir.appendingPathComponent(p)).enroll(id: node.id, publicKey: keys.publicKey, name: node.name, level: node.level)
        } else {
            if let items = plan.items { _ = try store.importCatalog(name: items.path, bytes: try Console.read(items.path)) }
            for c in plan.calendars { _ = try store.importCalendar(name: c.path, bytes: try Console.read(c.path)) }
        }
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
            # (a test checks that this file matches the topology). `docker-compose up -d` builds the image,
            # provisions every node once (keys, enrolments, catalogue) into its own volume, and starts them.
            version: "3.8"

            x-sanji: &sanji
              build: .
              image: sanji:latest
              restart: unless-stopped
              command: ["serve", "--data", "/var/lib/sanji"]
              healthcheck:
                test: ["CMD", "sanji", "status", "--check", "--data", "/var/lib/sanji"]
                interval: 30s
                timeout: 10s
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
