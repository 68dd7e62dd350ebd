import ArgumentParser
import Foundation
import SanjiCore
import SanjiStore

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the node's store and keys into a new directory, while it runs.",
        discussion: """
            Uses SQLite's online backup, so it is consistent even while `sanji serve` and clerks write.
              sanji backup --out /mnt/usb/sanji-2026-11-24 --data /var/lib/sanji
            To restore on a replacement PC, use the backup directory as the new --data (or copy it to
            /var/lib/sanji) and start `sanji serve`: the node keeps its id, keys and backlog.
            """)

    @Option(help: ArgumentHelp("A new (or empty) directory for the copy.", valueName: "dir")) var out: String
    @OptionGroup var options: DataOptions

    func run() throws {
        try Console.run {
            let store = try options.open()
            let target = URL(fileURLWithPath: out)
            try store.backup(to: target)
            let copy = try NodeStore.open(in: target)
            let check = try copy.integrityCheck()
            guard check == "ok" else { throw SanjiError(.io, "the backup at \(out) failed SQLite's integrity check: \(check)") }
            print("backed up \(store.identity.id) to \(target.path) (integrity check ok, rev \(try copy.currentRev()), catalogue sequence \(try copy.catalogSequence()))")
        }
    }
}
