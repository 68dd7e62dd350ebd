import ArgumentParser
import Foundation
import SanjiBus
import SanjiCore
import SanjiStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a node's store: its id, name, level and time zone.",
        discussion: """
            The root (usually the county) has no --parent and owns the catalogue.
              sanji init --id 340321 --name 怀远县政务服务中心 --level county --data ./county
              sanji init --id 340321100 --name 城关镇为民服务中心 --level township --parent tcp://127.0.0.1:7701 \
                --parent-key '<key>' --data ./t1
            Or from the welcome its parent wrote (`sanji join-request --help` says how the two files go):
              sanji init --welcome 340321100201.welcome --data ./v
            """)

    @Option(help: ArgumentHelp("Stable, unique node id; 统计用区划代码 fit well (340321, 340321100, 340321100201).", valueName: "id"))
    var id: String?

    @Option(help: ArgumentHelp("The station's name, e.g. 怀远县政务服务中心.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The station's level (省/市/县/乡/村).", valueName: "level"))
    var level: Level?

    @Option(help: ArgumentHelp("The welcome file the parent wrote (`sanji enroll <id>.join`): id, name, level, parent and its key from it.", valueName: "file"))
    var welcome: String?

    @Option(help: ArgumentHelp("IANA time zone that cuts the days.", valueName: "zone"))
    var timeZone: String = "Asia/Shanghai"

    @Option(help: ArgumentHelp("The parent node's endpoint, e.g. tcp://10.1.2.3:7701; omit on the root.", valueName: "endpoint"))
    var parent: String?

    @Option(help: ArgumentHelp("The parent's public key (`sanji keys show` there), quoted: --parent-key '…'.", valueName: "key"))
    var parentKey: String?

    @Flag(help: "This township or village is the root of its own federation (no parent): say so, since without --parent it would become one.")
    var root = false

    @Option(help: ArgumentHelp("Where children connect, e.g. tcp://0.0.0.0:7701 (a port of * picks one once and keeps it).", valueName: "endpoint"))
    var listen: String?

    @OptionGroup var options: DataOptions

    func validate() throws {
        if welcome != nil {
            if parent != nil || parentKey != nil || root { throw ValidationError("the welcome names the parent and its key; give --welcome without --parent, --parent-key or --root") }
        } else {
            guard let id, let name, let level else { throw ValidationError("give --id, --name and --level (or --welcome with the file the parent wrote)") }
            if name.trimmingSpaces.isEmpty { throw ValidationError("--name is empty; give the station's name") }
            if let problem = NodeIdentity.validate(id: id) { throw ValidationError("--id \(id): \(problem)") }
            if parent == nil, !root, level == .township || level == .village {
                throw ValidationError("a \(level.rawValue) without --parent would be a root of its own, owning a catalogue; give its parent"
                    + " (--parent tcp://<address>:<port> --parent-key '<key>', from the parent's `sanji keys show`, or --welcome with the"
                    + " file the parent wrote), or --root if it really stands alone")
            }
        }
        if parent != nil, root { throw ValidationError("--root and --parent contradict each other: a node with a parent is not a root") }
        if parent != nil, parentKey == nil { throw ValidationError("--parent needs --parent-key: the parent's public key (`sanji keys show` at the parent)") }
        if parentKey != nil, parent == nil { throw ValidationError("--parent-key needs --parent") }
        if let parentKey, !CurveKeyPair.isValidKey(parentKey) { throw ValidationError("--parent-key is not a CURVE public key (40 characters of Z85)") }
        for (flag, endpoint) in [("--parent", parent), ("--listen", listen)] {
            if let endpoint, !(endpoint.hasPrefix("tcp://") || endpoint.hasPrefix("ipc://")) {
                throw ValidationError("\(flag) \(endpoint) is not an endpoint; use tcp://host:port")
            }
        }
    }

    func run() throws {
        try Console.run {
            var (id, name, level, parent, parentKey) = (self.id, self.name?.trimmingSpaces, self.level, self.parent, self.parentKey)
            var keys: CurveKeyPair
            let keyStore = KeyStore(dataDirectory: options.directory)
            if let welcome {
                let w = try Welcome.parse(String(decoding: try Console.read(welcome), as: UTF8.self), file: welcome)
                for (flag, given, said) in [("--id", id, w.station.id), ("--name", name, w.station.name), ("--level", level?.rawValue, w.station.level.rawValue)] {
                    if let given, given != said { throw SanjiError(.invalidArgument, "\(flag) \(given): the welcome \(welcome) is for \(said)") }
                }
                // The keys `join-request` made here: the parent enrolled exactly these.
                guard let held = try? keyStore.load() else {
                    throw SanjiError(.invalidArgument, "\(options.directory.path) holds no keys: the welcome is for the keys `sanji join-request` made",
                                     hint: "run init --welcome with the --data directory join-request used")
                }
                guard held.publicKey == w.station.publicKey else {
                    throw SanjiError(.invalidArgument, "\(welcome) welcomes the key \(w.station.publicKey), not this station's \(held.publicKey)",
                                     hint: "it answers another join request; send the parent this station's (sanji join-request --data \(options.directory.path))")
                }
                keys = held
                (id, name, level, parent, parentKey) = (w.station.id, w.station.name, w.station.level, w.parentEndpoint, w.parentKey)
            } else {
                keys = try CurveKeyPair.generate()
            }
            let identity = NodeIdentity(id: id!, name: name!, level: level!, timeZone: timeZone, parent: parent)
            let store = try NodeStore.create(in: options.directory, identity: identity)
            if welcome == nil { try store.keys.save(keys) }
            try store.setLinkConfig(listen: listen, parentKey: parentKey)
            let role = identity.isRoot ? "root: it owns the catalogue" : "parent \(parent!)"
            print("initialised \(identity.level.rawValue) node \(identity.id) (\(identity.name)) at \(store.directory.path); \(role); time zone \(identity.timeZone)")
            print("public key \(keys.publicKey)")
            if welcome != nil {
                print("enrolled at its parent already; start it: sanji serve --data \(store.directory.path)")
            } else if !identity.isRoot {
                print("enrol it at the parent: sanji enroll --id \(identity.id) --key '\(keys.publicKey)'")
            }
        }
    }
}
