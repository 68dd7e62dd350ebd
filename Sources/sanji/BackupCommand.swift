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
            /var/lib/sanji) and start `sanji serve`: the node keeps its id, keys and backlog, and runs as
            a new copy whose work goes up above anything the old one sent. To move a station that still
            runs, use `sanji retire` instead: it also stops the old copy.
            """)

    @Option(help: ArgumentHelp("A new (or empty) directory for the copy.", valueName: "dir")) var out: String
    @OptionGroup var options: DataOptions

    func run() throws {
        try Console.run {
            let store = try options.open()
            let target = URL(fileURLWithPath: out)
            try store.backup(to: target)
            // Checked without opening it as a node: the copy becomes a new copy of the station only
            // where it is put to use.
            let check = try NodeStore.checkBackup(at: target)
            guard check.integrity == "ok" else { throw SanjiError(.io, "the backup at \(out) failed SQLite's integrity check: \(check.integrity)") }
            print("backed up \(store.identity.id) to \(target.path) (integrity check ok, rev \(check.rev), catalogue sequence \(check.catalogSeq))")
        }
    }
}
