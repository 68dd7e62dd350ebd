import ArgumentParser
import Foundation
import SanjiCore
import SanjiStore

struct WindowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "window",
        abstract: "The station's windows (窗口): cases and evaluations name them, the 通报 ranks them.",
        discussion: """
              sanji window add 1 --name 综合受理1号窗口 --kind 综合
              sanji window add 5 --name 不动产登记窗口 --kind 专科
              sanji window list
              sanji window retire 5        # no new case there from now on; its history stays in every figure
            A topology folder may list every station's windows in windows.csv (station,window,name,kind):
            `sanji cluster up` adds them.
            """,
        subcommands: [Add.self, List.self, Retire.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a window (or put a retired one back in service).")
        @Argument(help: "The window's id as cases name it: its 窗口编号 (1, A01 …).") var id: String
        @Option(help: ArgumentHelp("Its name as the hall's sign reads (default: the id).", valueName: "name")) var name: String?
        @Option(help: ArgumentHelp("综合 (any item), 专科 (one department's), 帮办 … (default 综合).", valueName: "kind")) var kind: String = "综合"
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let w = try options.open().addWindow(id, name: name, kind: kind)
                print("window \(w.id) (\(w.name), \(w.kind)) is in service")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the station's windows, retired ones marked.")
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let windows = try store.windows()
                if windows.isEmpty {
                    print("no windows yet; add one with: sanji window add 1 --name 综合受理1号窗口")
                    return
                }
                for w in windows {
                    let state = w.retiredAt.map { "retired \(store.zone.format($0))" } ?? "in service"
                    print("\(w.id)\t\(w.name)\t\(w.kind)\t\(state)")
                }
            }
        }
    }

    struct Retire: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a window: no new case is accepted there; its history stays.")
        @Argument(help: "The window's id.") var id: String
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let w = try store.retireWindow(id)
                print("window \(w.id) (\(w.name)) retired \(store.zone.format(w.retiredAt!))")
            }
        }
    }
}

struct ConsultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consult",
        abstract: "Record 咨询 (consultations that are no case): counted in 帮办代办服务, never described.",
        subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record consultations answered now (or --at a time).",
            discussion: """
                  sanji consult add --window 1 --staff 0107
                  sanji consult add --count 12 --at "2026-11-03 17:30" --item <code>     # a day's tally at once
                No question text and no applicant detail is recorded.
                """)
        @Option(help: ArgumentHelp("How many (1 to 999).", valueName: "n")) var count = 1
        @Option(help: ArgumentHelp("When (default: now).", valueName: "time")) var at: String?
        @Option(help: ArgumentHelp("The item asked about (事项编码), if any.", valueName: "code")) var item: String?
        @Option(help: ArgumentHelp("The window that answered.", valueName: "window")) var window: String?
        @Option(help: ArgumentHelp("The 工号 of the staff member who answered.", valueName: "id")) var staff: String?
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let made = try store.addConsultations(count: count, at: at, item: item ?? "", window: window ?? "", staff: staff ?? "")
                print("\(made.count) consultation\(made.count == 1 ? "" : "s") recorded at \(store.zone.format(made[0].at))")
            }
        }
    }
}

struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "Yearly targets of 办件量 (年度目标), with their progress in the 通报 and the dashboard.",
        discussion: """
              sanji targets set --year 2026 --level county --accepted 85000                  # 县级不低于 8.5 万件
              sanji targets set --year 2026 --level township --level village --accepted 65000  # 乡村两级不低于 6.5 万件
              sanji targets set --year 2026 --node 340321100 --accepted 9000                  # one township's own
              sanji targets list --year 2026
            --accepted 0 removes a target. Progress is 本年累计办件量 against the target, beside 时间进度
            (the share of the year gone).
            """,
        subcommands: [Set.self, List.self], defaultSubcommand: List.self)

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a yearly target for levels together or for one station.")
        @Option(help: ArgumentHelp("The year.", valueName: "year")) var year: Int
        @Option(help: ArgumentHelp("A level the target counts; repeat for levels together (county, township, village).", valueName: "level"))
        var level: [Level] = []
        @Option(help: ArgumentHelp("A station (node id) whose own 办件量 the target counts.", valueName: "id")) var node: String?
        @Option(help: ArgumentHelp("办件量 to reach in the year (0 removes the target).", valueName: "n")) var accepted: Int
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let t = try options.open().setTarget(year: year, levels: level, node: node, accepted: accepted)
                print(accepted == 0 ? "target \(t.year) \(t.scope) removed" : "target \(t.year) \(t.scope): 办件量 \(NumberText.thousands(t.accepted))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the targets and their progress.")
        @Option(help: ArgumentHelp("Only this year's.", valueName: "year")) var year: Int?
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let targets = try store.targets(year: year)
                if targets.isEmpty {
                    print("no targets; set one with: sanji targets set --year \(year ?? 2026) --level county --accepted 85000")
                    return
                }
                let now = WallClock.system.now
                for t in targets {
                    let p = try store.targetProgress(t, now: now)
                    print("\(t.year)\t\(p.label)\t目标 \(NumberText.thousands(t.accepted))\t累计 \(NumberText.thousands(p.done))\t完成 \(p.share.percentText(.halfUp))\t时间进度 \(p.timeShare.percentText(.halfUp))")
                }
            }
        }
    }
}
