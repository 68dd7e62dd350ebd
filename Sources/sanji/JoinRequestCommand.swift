import ArgumentParser
import Foundation
import SanjiBus
import SanjiCore
import SanjiStore

struct JoinRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join-request",
        abstract: "Write this station's join request: the small file its parent enrols it from, with no key typed.",
        discussion: """
            Enrolling a station by file, in three steps:
              1. at the station:  sanji join-request --id 340321100201 --name 某村代办站 --level village --data ./v
                                  (makes the station's keys; writes 340321100201.join)
              2. at the parent:   sanji enroll 340321100201.join --data ./township
                                  (writes 340321100201.welcome)
              3. at the station:  sanji init --welcome 340321100201.welcome --data ./v, then sanji serve --data ./v
            Both files hold public keys only: print them, mail them, send them in a chat. The station's
            secret key never leaves its keys/ directory.
            At a station already made (`sanji init`), the request is written from its store; --id, --name
            and --level are then not needed.
            """)

    @Option(help: ArgumentHelp("The station's node id (统计用区划代码 fit well).", valueName: "id")) var id: String?
    @Option(help: ArgumentHelp("The station's name, e.g. 某村代办站.", valueName: "name")) var name: String?
    @Option(help: ArgumentHelp("The station's level (乡/村 …).", valueName: "level")) var level: Level?
    @Option(help: ArgumentHelp("Where to write it (default: <id>.join in the current directory).", valueName: "file")) var out: String?
    @OptionGroup var options: DataOptions

    func run() throws {
        try Console.run {
            let directory = options.directory
            let request: JoinRequest
            if NodeStore.exists(in: directory) {
                let store = try options.open()
                let me = store.identity
                for (flag, given, held) in [("--id", id, me.id), ("--name", name, me.name), ("--level", level?.rawValue, me.level.rawValue)] {
                    if let given, given != held { throw SanjiError(.invalidArgument, "\(flag) \(given): the station at \(directory.path) is \(held)") }
                }
                request = JoinRequest(id: me.id, name: me.name, level: me.level, publicKey: try store.keys.load().publicKey)
            } else {
                guard let id, let name, let level else {
                    throw SanjiError(.invalidArgument, "no station at \(directory.path) yet: give --id, --name and --level",
                                     hint: "sanji join-request --id 340321100201 --name 某村代办站 --level village --data \(directory.path)")
                }
                if let problem = NodeIdentity.validate(id: id) { throw SanjiError(.invalidArgument, "--id \(id): \(problem)") }
                if name.trimmingSpaces.isEmpty { throw SanjiError(.invalidArgument, "--name is empty; give the station's name") }
                // The keys are made now and kept: `init --welcome` later makes the store with them.
                let keys = KeyStore(dataDirectory: directory)
                let pair: CurveKeyPair
                if let held = try? keys.load() {
                    pair = held
                } else {
                    pair = try CurveKeyPair.generate()
                    try keys.save(pair)
                }
                request = JoinRequest(id: id, name: name.trimmingSpaces, level: level, publicKey: pair.publicKey)
            }
            let path = out ?? "\(request.id).join"
            try Console.write(request.text, to: path)
            print("wrote \(path) for \(request.level.rawValue) station \(request.id) (\(request.name)); public key \(request.publicKey)")
            print("give it to the parent's IT staff (it is safe to send): sanji enroll \(request.id).join there; then here: sanji init --welcome \(request.id).welcome")
        }
    }
}
