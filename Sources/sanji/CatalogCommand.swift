import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiStore

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "The service-item catalogue (政务服务事项目录): import at the root, list anywhere.",
        subcommands: [Import.self, List.self, Settings.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import items.csv at the root; any change makes a new catalogue sequence.",
            discussion: """
                Header (any order): code,name,type,department,levels,legal_days,promised_days,online_depth,max_visits,status
                  type           GB/T 39046 code (01 行政许可 … 07 行政确认 … 20 公共服务) or its label
                  levels         county|township|village (or 县|乡|村): the levels that handle the item
                  legal_days     working days; 3m / 1y convert at 22 / 250 working days; empty = no legal limit
                  promised_days  working days; 0 = 即办件
                  online_depth   1–4 (Ⅰ 咨询, Ⅱ 收件/预审, Ⅲ 受理, Ⅳ 全程网办)
                  max_visits     到现场次数 0, 1, 2 …
                  status         active | withdrawn
                The file is imported whole or not at all. Items not in the file are left as they are.
                """)

        @Argument(help: "The items.csv file.") var file: String
        @OptionGroup var fileOptions: FileImportOptions
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run(maxErrors: fileOptions.maxErrors) {
                let store = try options.open()
                let report = try store.importCatalog(name: file, bytes: try Console.read(file), options: try fileOptions.importOptions())
                var line = "\(file): \(report.rows) items: \(report.new) new, \(report.updated) updated, \(report.unchanged) unchanged"
                line += report.summaryRows > 0 ? "; catalogue is now at sequence \(report.sequence!)" : "; nothing changed, catalogue stays at sequence \(report.sequence!)"
                print(line)
                if report.notInFile > 0 {
                    print("\(report.notInFile) item(s) held but not in this file were left as they are (withdraw an item with status=withdrawn)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the catalogue's items.",
            discussion: "--format csv prints an items.csv that `sanji catalog import` reads back.")

        @Option(help: ArgumentHelp("Only the items this level handles (county, township, village; 县/乡/村).", valueName: "level"))
        var level: Level?

        @Flag(help: "Include withdrawn items.") var withdrawn = false
        @Option(help: "table, json or csv.") var format: OutputFormat = .table
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let catalog = try options.open().catalog()
                let want = level
                let items = catalog.items.values
                    .filter { (withdrawn || $0.isActive) && (want.map($0.handled(at:)) ?? true) }
                    .sorted { ($0.department, $0.code) < ($1.department, $1.code) }
                switch format {
                case .csv:
                    print(CatalogParsing.itemColumns.joined(separator: ","))
                    for item in items { print(CSVWriter.line(CatalogParsing.csvRow(item))) }
                case .json:
                    print(JSONValue.array(items.map { item in
                        .object([
                            ("code", .string(item.code)), ("name", .string(item.name)), ("type", .string(item.type.rawValue)),
                            ("department", .string(item.department)), ("levels", .array(item.levels.sorted().map { .string($0.rawValue) })),
                            ("legal_days", item.legalDays.map(JSONValue.int) ?? .null), ("promised_days", .int(item.promisedDays)),
                            ("online_depth", .int(item.onlineDepth)), ("max_visits", .int(item.maxVisits)),
                            ("status", .string(item.withdrawn ? "withdrawn" : "active")),
                        ])
                    }).render())
                case .table:
                    var table = TextTable(
                        headers: ["事项编码", "事项名称", "类型", "实施部门", "层级", "法定", "承诺", "网办深度", "到现场", "状态"],
                        alignments: [.left, .left, .left, .left, .left, .right, .right, .right, .right, .left])
                    for i in items {
                        table.add([i.code, i.name, i.type.label, i.department, i.levels.sorted().map(\.shortChinese).joined(separator: "/"),
                                   i.legalDays.map(String.init) ?? "—", String(i.promisedDays), ["", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"][i.onlineDepth],
                                   String(i.maxVisits), i.withdrawn ? "已取消" : "在用"])
                    }
                    print(table.render())
                    print("\(items.count) item(s)\(want.map { " handled at \($0.rawValue) level" } ?? ""); catalogue sequence \(catalog.sequence)")
                }
            }
        }
    }

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or change settings that travel with the catalogue (root only to change).",
            discussion: """
                Each change is a new catalogue sequence, and reaches every station with the catalogue.
                  sanji catalog settings                                  # show them
                  sanji catalog settings --rectify-days 10                # 差评 整改 limit in working days
                  sanji catalog settings --rounding cut                   # print 99.947 % as 99.94 % (default half-up: 99.95 %)
                  sanji catalog settings --scope all                      # count 依职权 items in the catalogue rates too
                  sanji catalog settings --online-min-depth 3             # 网上可办 from 网办深度 Ⅲ (default Ⅱ)
                  sanji catalog settings --staff-figures county           # let staff (工号) figures travel to the county
                  sanji catalog settings --score-weights completion=20,on_time=30,satisfaction=30,online=10,rectification=10
                  sanji catalog settings --honor-windows 5                # 红旗窗口 in the 通报 (default 3)
                docs/figures.md says what each changes.
                """)

        @Option(help: ArgumentHelp("Working days a 差评 has for 整改 (areas use 5 to 15).", valueName: "days"))
        var rectifyDays: Int?

        @Option(help: ArgumentHelp("Minutes a station's clock may be off before it is flagged, and a time may lie in the future (default 10).", valueName: "minutes"))
        var clockSkewMinutes: Int?

        @Option(help: ArgumentHelp("How percentages print: half-up (四舍五入, the default) or cut (截断).", valueName: "rule"))
        var rounding: Rounding?

        @Option(help: ArgumentHelp("Which items the catalogue rates count: on-application (依申请 and 公共服务, the default) or all.", valueName: "scope"))
        var scope: CatalogScope?

        @Option(help: ArgumentHelp("The 网办深度 from which an item counts as 网上可办: 2 (Ⅱ, the default), 3 or 4.", valueName: "depth"))
        var onlineMinDepth: Int?

        @Option(help: ArgumentHelp("Where staff (工号) figures may be seen: station (the default: they stay at the station) or county.", valueName: "where"))
        var staffFigures: StaffFigures?

        @Option(help: ArgumentHelp("The 综合得分's weights in points: completion, on_time, satisfaction, online, rectification (name=points, comma-separated).",
                                   valueName: "weights"))
        var scoreWeights: String?

        @Option(help: ArgumentHelp("How many 红旗窗口 the 通报 names, and at most how many windows 需关注 by score (default 3).", valueName: "n"))
        var honorWindows: Int?

        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                var changed: [(String, String, Int)] = []
                if let rectifyDays { changed.append(("rectify_days", String(rectifyDays), try store.setRectifyDays(rectifyDays))) }
                if let clockSkewMinutes { changed.append(("clock_skew_minutes", String(clockSkewMinutes), try store.setClockSkewMinutes(clockSkewMinutes))) }
                if let rounding { changed.append(("rounding", rounding.rawValue, try store.setRounding(rounding))) }
                if let scope { changed.append(("catalog_scope", scope.rawValue, try store.setCatalogScope(scope))) }
                if let onlineMinDepth { changed.append(("online_min_depth", String(onlineMinDepth), try store.setOnlineMinDepth(onlineMinDepth))) }
                if let staffFigures { changed.append(("staff_figures", staffFigures.rawValue, try store.setStaffFigures(travel: staffFigures == .county))) }
                if let scoreWeights {
                    let w = try ScoreWeights.parse(scoreWeights).get()
                    changed.append(("score_weights", w.text, try store.setScoreWeights(w)))
                }
                if let honorWindows { changed.append(("honor_windows", String(honorWindows), try store.setHonorWindows(honorWindows))) }
                for (key, value, seq) in changed { print("\(key) = \(value); catalogue is now at sequence \(seq)") }
                if changed.isEmpty {
                    let c = try store.catalog()
                    print("""
                        rectify_days = \(c.rectifyDays)
                        clock_skew_minutes = \(c.clockSkewMinutes)
                        rounding = \(c.rounding.rawValue)
                        catalog_scope = \(c.scope.rawValue)
                        online_min_depth = \(c.onlineMinDepth)
                        staff_figures = \(c.staffFiguresTravel ? "county" : "station")
                        score_weights = \(c.scoreWeights.text)
                        honor_windows = \(c.honorWindows)
                        (catalogue sequence \(c.sequence))
                        """)
                }
            }
        }
    }
}

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "The working-day calendar: holidays and 调休 working weekend days.",
        subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import calendar.csv at the root (header date,kind; kind holiday or workday).",
            discussion: "holiday: a day off (list every day of a holiday block). workday: a 调休 weekend day that is worked.")

        @Argument(help: "The calendar.csv file.") var file: String
        @OptionGroup var fileOptions: FileImportOptions
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run(maxErrors: fileOptions.maxErrors) {
                let store = try options.open()
                let report = try store.importCalendar(name: file, bytes: try Console.read(file), options: try fileOptions.importOptions())
                print("\(file): \(report.rows) days: \(report.new) new, \(report.updated) updated, \(report.unchanged) unchanged; catalogue sequence \(report.sequence!)")
            }
        }
    }
}
