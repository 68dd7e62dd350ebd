import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiStore

struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Record service cases (办件) at this station.",
        subcommands: [Accept.self, Complete.self, Show.self])

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a case accepted now (or --at a given time).",
            discussion: """
                The deadline follows from the item's 承诺时限 in working days on the calendar (即办件: the same day).
                  sanji case accept --case-no 2026110001 --item 11340321MB1234567X4000117001 --channel window
                  sanji case accept --case-no 2026110002 --item … --window 3 --staff 0107 --mode 帮办 --mode 预约
                Applicant details are kept at this station only; they never leave it. The window must be one of the
                station's (sanji window list); the staff member's 工号 stays here unless the county lets staff figures travel.
                """)

        @Option(help: ArgumentHelp("The 办件编号.", valueName: "no")) var caseNo: String
        @Option(help: ArgumentHelp("The item's 事项编码.", valueName: "code")) var item: String
        @Option(help: ArgumentHelp("How it was brought in (窗口/网上/掌上/自助/代办/上门).", valueName: "channel"))
        var channel: CaseChannel = .window
        @Option(help: ArgumentHelp("When it was accepted: ISO 8601, local time if no offset (default: now).", valueName: "time"))
        var at: String?
        @Flag(help: "帮办代办: staff helped or acted for the applicant (or give --mode 帮办 / --mode 代办).") var assisted = false
        @Option(help: ArgumentHelp("The window (窗口编号) that accepted it.", valueName: "window")) var window: String?
        @Option(help: ArgumentHelp("The 工号 of the staff member who handled it.", valueName: "id")) var staff: String?
        @Option(name: .customLong("mode"), help: ArgumentHelp("A service mode; repeat for more: 帮办, 代办, 上门, 预约, 延时, 邮寄 (or help, proxy, home, appointment, extended, mail).", valueName: "mode"))
        var modes: [String] = []
        @Option(help: ArgumentHelp("Applicant's name (kept at this station only).", valueName: "name")) var applicantName: String?
        @Option(help: ArgumentHelp("Applicant's id number (kept at this station only).", valueName: "id")) var applicantId: String?
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let now = WallClock.system.now
                let c = try store.acceptCase([
                    "case_no": caseNo, "item_code": item, "channel": channel.rawValue, "accepted_at": at ?? store.zone.format(now),
                    "assisted": assisted ? "1" : "", "applicant_name": applicantName ?? "", "applicant_id": applicantId ?? "",
                    "window": window ?? "", "staff": staff ?? "", "modes": modes.joined(separator: ","),
                ], now: now)
                let it = try store.catalog().items[c.itemCode]
                print("case \(c.caseNo) accepted \(store.zone.format(c.acceptedAt)) for \(it?.name ?? c.itemCode); due \(c.deadline)")
            }
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that an open case was completed (办结).")

        @Option(help: ArgumentHelp("The 办件编号.", valueName: "no")) var caseNo: String
        @Option(help: ArgumentHelp("准予, 不予 or 撤回.", valueName: "outcome")) var outcome: Outcome = .approved
        @Option(help: ArgumentHelp("跑动次数: times the applicant came in person.", valueName: "n")) var visits: Int
        @Option(help: ArgumentHelp("When it was completed (default: now).", valueName: "time")) var at: String?
        @Option(name: .customLong("mode"), help: ArgumentHelp("A service mode learnt at completion (邮寄 of the result …); repeat for more.", valueName: "mode"))
        var modes: [String] = []
        @OptionGroup var options: DataOptions

        func validate() throws {
            if visits < 0 { throw ValidationError("--visits \(visits): 跑动次数 counts visits in person; 0 or more") }
        }

        func run() throws {
            try Console.run {
                let store = try options.open()
                var unknown: [String] = []
                let added = ServiceModes.parse(modes.joined(separator: ","), unknown: &unknown)
                guard unknown.isEmpty else {
                    throw SanjiError(.invalidArgument, "--mode \(unknown.joined(separator: ", ")): not a service mode; one of \(ServiceMode.spellings)")
                }
                let c = try store.completeCase(caseNo, at: at, outcome: outcome.rawValue, visits: visits, modes: added)
                let day = store.zone.day(of: c.completedAt!)
                print("case \(c.caseNo) completed \(store.zone.format(c.completedAt!)) (\(c.outcome!.label)); \(day <= c.deadline ? "on time" : "overdue: was due \(c.deadline)")")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one case as recorded here.")
        @Argument(help: "The 办件编号.") var caseNo: String
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                guard let c = try store.fetchCase(caseNo) else { throw SanjiError(.unknownCase, "no case \(caseNo) is recorded at this station") }
                let z = store.zone
                print("""
                    case_no      \(c.caseNo)
                    item_code    \(c.itemCode)
                    accepted_at  \(z.format(c.acceptedAt))
                    channel      \(c.channel.rawValue) (\(c.channel.label))\(c.assisted ? ", assisted" : "")
                    modes        \(c.modes.modes.isEmpty ? "—" : c.modes.label)
                    window       \(c.window.isEmpty ? "—" : c.window)
                    staff        \(c.staff.isEmpty ? "—" : c.staff)
                    deadline     \(c.deadline)
                    completed_at \(c.completedAt.map(z.format) ?? "— (open)")
                    outcome      \(c.outcome.map { "\($0.rawValue) (\($0.label))" } ?? "—")
                    visits       \(c.visits.map(String.init) ?? "—")
                    """)
            }
        }
    }
}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Record evaluations (好差评), and the 整改 and 回访 of 差评.",
        subcommands: [Add.self, Rectify.self, Revisit.self, Appeal.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an evaluation, of a case or of the station.",
            discussion: "  sanji eval add --case-no 2026110001 --grade 非常满意 --channel device")

        @Option(help: ArgumentHelp("The case evaluated (optional).", valueName: "no")) var caseNo: String?
        @Option(help: ArgumentHelp("The grade given.", valueName: "grade")) var grade: Grade
        @Option(help: ArgumentHelp("Where it was given (device: an 评价器 at the window).", valueName: "channel"))
        var channel: EvalChannel = .device
        @Option(help: ArgumentHelp("The evaluation's id (default: made here, <node>-E000001).", valueName: "id")) var id: String?
        @Option(help: ArgumentHelp("When it was given (default: now).", valueName: "time")) var at: String?
        @Flag(help: "实名: the evaluator gave their name (a 实名差评 must be revisited).") var named = false
        @Option(help: ArgumentHelp("The window evaluated (default: the case's).", valueName: "window")) var window: String?
        @Option(help: ArgumentHelp("The 工号 of the staff member evaluated (default: the case's).", valueName: "id")) var staff: String?
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let e = try store.addEvaluation([
                    "eval_id": id ?? "", "case_no": caseNo ?? "", "grade": grade.rawValue, "channel": channel.rawValue, "evaluated_at": at ?? "",
                    "named": named ? "1" : "", "window": window ?? "", "staff": staff ?? "",
                ])
                let due = e.grade.isBad ? "; a \(e.named ? "实名" : "")差评: rectify with `sanji eval rectify \(e.evalId)`" : ""
                print("evaluation \(e.evalId) recorded: \(e.grade.rawValue)\(e.caseNo.map { " for case \($0)" } ?? "")\(due)")
            }
        }
    }

    struct Rectify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a 差评 was rectified (整改).")
        @Argument(help: "The evaluation's id.") var evalId: String
        @Option(help: ArgumentHelp("When (default: now).", valueName: "time")) var at: String?
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let e = try store.rectify(evalId, at: at)
                print("evaluation \(e.evalId) rectified \(store.zone.format(e.rectifiedAt!))")
            }
        }
    }

    struct Revisit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the 回访 (follow-up) of a 差评 and the grade given then.")
        @Argument(help: "The evaluation's id.") var evalId: String
        @Option(help: ArgumentHelp("The grade at the follow-up.", valueName: "grade")) var grade: Grade
        @Option(help: ArgumentHelp("When (default: now).", valueName: "time")) var at: String?
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let e = try store.revisit(evalId, at: at, grade: grade.rawValue)
                print("evaluation \(e.evalId) revisited \(store.zone.format(e.revisitedAt!)): \(e.revisitGrade!.rawValue)")
            }
        }
    }

    struct Appeal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the 申诉复核 (appeal review) of a 差评.",
            discussion: """
                An upheld appeal (the 差评 was found 恶意 or 误评) takes it out of 满意率 and the 差评 counts from the
                day it was decided; its record stays and is counted on its own (申诉成立). A rejected appeal changes
                nothing. The reason stays at this station.
                  sanji eval appeal 340321100201-E000012 --upheld --reason "复核：评价人误操作，已电话确认"
                  sanji eval appeal 340321100201-E000013 --rejected --reason "复核：办理超时属实"
                """)
        @Argument(help: "The evaluation's id.") var evalId: String
        @Flag(help: "The review found the 差评 恶意 or 误评.") var upheld = false
        @Flag(help: "The review found the 差评 stands.") var rejected = false
        @Option(help: ArgumentHelp("Why, in the reviewer's words (kept at this station only).", valueName: "text")) var reason: String
        @Option(help: ArgumentHelp("When it was decided (default: now).", valueName: "time")) var at: String?
        @OptionGroup var options: DataOptions

        func validate() throws {
            guard upheld != rejected else { throw ValidationError("say what the review decided: --upheld or --rejected (one of them)") }
        }

        func run() throws {
            try Console.run {
                let store = try options.open()
                let e = try store.appeal(evalId, decision: upheld ? .upheld : .rejected, reason: reason, at: at)
                let effect = upheld ? "; it no longer counts as a 差评 from \(store.zone.day(of: e.appeal!.decidedAt))" : "; the 差评 stands"
                print("evaluation \(e.evalId): \(e.appeal!.decision.label)\(effect)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the 差评 at this station with their 整改, 回访 and 申诉.")
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let z = store.zone
                var t = TextTable(headers: ["评价编号", "办件编号", "评价", "实名", "评价时间", "整改", "回访", "申诉"], alignments: Array(repeating: .left, count: 8))
                let bad = try store.badReviews()
                for e in bad {
                    t.add([e.evalId, e.caseNo ?? "—", e.grade.rawValue, e.named ? "实名" : "匿名", z.format(e.evaluatedAt), e.rectifiedAt.map(z.format) ?? "未整改",
                           e.revisitedAt.map { "\(z.format($0)) \(e.revisitGrade?.rawValue ?? "")" } ?? "未回访", e.appeal?.decision.label ?? "—"])
                }
                print(t.render())
                print("\(bad.count) 差评")
            }
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the CSV exports of the provincial business system (no 二次录入).",
        discussion: """
            Imports are all or nothing and idempotent: every row is checked first, one bad row rejects the
            file with file:line: field: problem for every bad row, and nothing changes. Importing the same
            file again, or an export overlapping an earlier one, changes nothing already there; a later
            export of a case (now completed) updates it.
            """,
        subcommands: [Cases.self, Evals.self, Consults.self])

    struct Consults: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import consults.csv: 咨询 answered that were no case.",
            discussion: """
                Header (any order): consult_id,at,item_code,window,staff (at is required). A line without consult_id
                gets one from the file's name and line, so importing the same file twice counts nothing twice.
                No question text and no applicant detail: a consultation is counted, never described.
                """)

        @Argument(help: "The consults.csv file.") var file: String
        @OptionGroup var fileOptions: FileImportOptions
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run(maxErrors: fileOptions.maxErrors) {
                let importOptions = try fileOptions.importOptions()
                try ProgressLine.importing(file, kind: "consultation", data: options, force: fileOptions.progress) { store, input, progress in
                    try store.importConsultations(name: file, input: input, options: importOptions, progress: progress)
                }
            }
        }
    }

    struct Cases: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import cases.csv.",
            discussion: """
                Header (any order): case_no,item_code,accepted_at,channel,completed_at,outcome,visits,assisted,applicant_name,applicant_id,
                window,staff,modes,help,proxy,home,appointment,extended,mail
                (case_no, item_code, accepted_at and channel are required; completed_at, outcome and visits are empty while open).
                modes lists service modes (帮办,上门 or help|home); the columns help … mail are yes/no for one mode each.
                window must be one of the station's (sanji window list); staff is the handler's 工号.
                """)

        @Argument(help: "The cases.csv file.") var file: String
        @OptionGroup var fileOptions: FileImportOptions
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run(maxErrors: fileOptions.maxErrors) {
                let importOptions = try fileOptions.importOptions()
                try ProgressLine.importing(file, kind: "case", data: options, force: fileOptions.progress) { store, input, progress in
                    try store.importCases(name: file, input: input, options: importOptions, progress: progress)
                }
            }
        }
    }

    struct Evals: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import evals.csv.",
            discussion: """
                Header (any order): eval_id,case_no,grade,channel,evaluated_at,rectified_at,revisited_at,revisit_grade,named,window,staff
                (window and staff default to the case's).
                Grades are labels (非常满意 … 非常不满意). Numbers only with --grade-codes, which says which way they run:
                  one-is-best   1 = 非常满意, 2 = 满意, 3 = 基本满意, 4 = 不满意, 5 = 非常不满意
                  five-is-best  5 = 非常满意, 4 = 满意, 3 = 基本满意, 2 = 不满意, 1 = 非常不满意
                Sources disagree, so look at a row you know before choosing. named (实名) is 1/0 or 是/否.
                A 回访 (revisited_at) follows a 整改 (rectified_at).
                """)

        @Argument(help: "The evals.csv file.") var file: String
        @Option(help: ArgumentHelp("Which way numeric grades run: one-is-best (1 = 非常满意) or five-is-best (5 = 非常满意).", valueName: "direction"),
                transform: { try Grade.Codes.parse($0).mapError { ValidationError($0.description) }.get() })
        var gradeCodes: Grade.Codes?
        @OptionGroup var fileOptions: FileImportOptions
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run(maxErrors: fileOptions.maxErrors) {
                let importOptions = try fileOptions.importOptions(gradeCodes: gradeCodes)
                try ProgressLine.importing(file, kind: "evaluation", data: options, force: fileOptions.progress) { store, input, progress in
                    try store.importEvaluations(name: file, input: input, options: importOptions, progress: progress)
                }
            }
        }
    }
}
