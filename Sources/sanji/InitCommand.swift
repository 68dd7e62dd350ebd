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
              sanji init --id 340321100 --name 城关镇为民服务中心 --level township --parent tcp://127.0.0.1:7701 --data ./t1
            """)

    @Option(help: ArgumentHelp("Stable, unique node id; 统计用区划代码 fit well (340321, 340321100, 340321100201).", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The station's name, e.g. 怀远县政务服务中心.", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("The station's level (省/市/县/乡/村).", valueName: "level"))
    var level: Level

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
        if name.trimmingSpaces.isEmpty { throw ValidationError("--name is empty; give the station's name") }
        if let problem = NodeIdentity.validate(id: id) { throw ValidationError("--id \(id): \(problem)") }
        if parent == nil, !root, level == .township || level == .village {
            throw ValidationError("a \(level.rawValue) without --parent would be a root of its own, owning a catalogue; give its parent"
                + " (--parent tcp://<address>:<port> --parent-key='<key>', from the parent's `sanji keys show`), or --root if it really stands alone")
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
            let identity = NodeIdentity(id: id, name: name.trimmingSpaces, level: level, timeZone: timeZone, parent: parent)
            let keys = try CurveKeyPair.generate()
            let store = try NodeStore.create(in: options.directory, identity: identity)
            try store.keys.save(keys)
            try store.setLinkConfig(listen: listen, parentKey: parentKey)
            let role = identity.isRoot ? "root: it owns the catalogue" : "parent \(parent!)"
            print("initialised \(identity.level.rawValue) node \(identity.id) (\(identity.name)) at \(store.directory.path); \(role); time zone \(identity.timeZone)")
            print("public key \(keys.publicKey)")
            if !identity.isRoot {
                print("enrol it at the parent: sanji enroll --id \(identity.id) --key='\(keys.publicKey)'")
            }
        }
    }
}
