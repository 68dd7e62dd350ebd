import ArgumentParser
import SanjiStore

@main
struct Sanji: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sanji",
        abstract: "Sanji (三级): one node of a county's 县乡村三级政务服务 system.",
        discussion: """
            Every station — county 政务服务中心, township 为民服务中心, village 代办站 — runs this same binary
            with its own SQLite store under --data (or SANJI_DATA; default ./sanji-data).

            A first county node:
              sanji init --id 340321 --name 怀远县政务服务中心 --level county --data ./county
              sanji catalog import items.csv --data ./county
              sanji calendar import calendar-2026.csv --data ./county
              sanji case accept --case-no 2026110001 --item <code> --channel window --data ./county
              sanji dashboard --month 2026-11 --data ./county
            """,
        version: SanjiVersion.string,
        subcommands: [
            Init.self, CatalogCommand.self, CalendarCommand.self, CaseCommand.self, EvalCommand.self,
            ImportCommand.self, Dashboard.self, Exceptions.self, Keys.self, JoinRequestCommand.self, Enroll.self, Revoke.self, Serve.self, Status.self, Verify.self, Copies.self, Retire.self, Export.self, Cluster.self, Backup.self, Report.self, Simulate.self,
            WindowCommand.self, ConsultCommand.self, TargetsCommand.self,
        ]
    )

    /// Reads the arguments as people type them (`ArgumentRepair`), then runs the command.
    static func main() async {
        switch ArgumentRepair.repair(Array(CommandLine.arguments.dropFirst()), root: Sanji.self) {
        case .failure(let mistake):
            Console.error("Error: \(mistake.message)")
            Sanji.exit(withError: ExitCode.validationFailure)
        case .success(let arguments):
            await Sanji.main(arguments)
        }
    }
}
