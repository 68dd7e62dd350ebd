import ArgumentParser
import Foundation
import SanjiBus
import SanjiCore
import SanjiStore

struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Refuse a child from now on (a lost or stolen station PC); its past rows stay and count.",
        discussion: """
            At the parent:  sanji revoke --id 340321100201 --data ./t1
            Takes effect within two seconds, on open connections too. Re-enrol the station (with its new key
            after `sanji keys rotate` there) to let it back in; its backlog is not lost.
            """)

    @Option(help: ArgumentHelp("The child's node id.", valueName: "id")) var id: String
    @OptionGroup var options: DataOptions

    func run() throws {
        try Console.run {
            try options.open().revoke(id: id)
            print("revoked \(id): its key is refused from now on; its past rows stay")
        }
    }
}

extension Keys {
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new keypair for this node (the old one is kept as node.key.old).",
            discussion: """
                Then enrol the new key at the parent (the command is printed) and restart `sanji serve`.
                The backlog waits and is sent once the new key is enrolled.
                """)
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let keys = try CurveKeyPair.generate()
                try store.keys.rotate(to: keys)
                print("new public key \(keys.publicKey)")
                if !store.identity.isRoot {
                    print("enrol it at the parent: sanji enroll --id \(store.identity.id) --key='\(keys.publicKey)'")
                }
                print("then restart sanji serve here")
            }
        }
    }
}
