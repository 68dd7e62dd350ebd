import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiSpawn
import SanjiStore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports for the county's departments and government.",
        subcommands: [Monthly.self, Template.self])

    struct Monthly: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The 窗口工作月度通报 of a month, as a document: figures beside 环比/同比/本年累计, rankings, 红旗窗口, targets.",
            discussion: """
                  sanji report monthly 2026-10 --data ./county                                   # Markdown on stdout
                  sanji report monthly 2026-10 --format html --out 2026-10-通报.html --data ./county
                  sanji report monthly 2026-10 --format pdf --out 2026-10-通报.pdf --doc-number 怀政务〔2026〕45号 --data ./county
                  sanji report monthly 2026-10 --format csv --data ./county                      # every figure it shows
                The document follows the county's own template when <data>/report/monthly.html.mustache (or .md) exists:
                `sanji report template` writes the defaults there to edit (header, salutation, opening, 工作要求).
                HTML is one self-contained file that prints on A4; PDF is made from it by headless Chromium.
                Every figure and list stands as at the month's end; a month still running is reported as at today,
                beside the same days of the month before and of the year before.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case md, html, pdf, csv }

        @Argument(help: "The month, YYYY-MM.") var month: String
        @Option(help: "md, html, pdf or csv.") var format: Format = .md
        @Option(help: ArgumentHelp("Write to this file instead of standard output (required for pdf).", valueName: "file")) var out: String?
        @Option(help: ArgumentHelp("A node not heard from for this long is stale (24h, 2d …).", valueName: "duration")) var stale: String = "24h"
        @Option(help: ArgumentHelp("发文单位 (default: this node's name).", valueName: "name")) var issuer: String?
        @Option(help: ArgumentHelp("文号, e.g. 怀政务〔2026〕45号.", valueName: "number")) var docNumber: String?
        @Option(help: ArgumentHelp("成文日期 under the issuer (default: today), YYYY-MM-DD.", valueName: "day")) var date: String?
        @OptionGroup var options: DataOptions

        func validate() throws {
            if PeriodOptions.parseMonth(month) == nil { throw ValidationError("\(month) is not a month; use YYYY-MM, e.g. 2026-10") }
            if DurationText.seconds(stale) == nil { throw ValidationError("--stale \(stale) is not a duration") }
            if let date, Day(date) == nil { throw ValidationError("--date \(date) is not a day; use YYYY-MM-DD") }
            if format == .pdf, out == nil { throw ValidationError("--format pdf writes a file: give --out, e.g. --out 2026-10-通报.pdf") }
        }

        func run() throws {
            try Console.run {
                let store = try options.open()
                let (y, m, _) = PeriodOptions.parseMonth(month)!.from.components
                let now = WallClock.system.now
                var report = try store.monthlyReport(year: y, month: m, now: now, staleAfter: DurationText.seconds(stale)!)
                if let issuer { report.document.issuer = issuer }
                if let docNumber { report.document.number = docNumber }
                if let date { report.document.date = Day(date)! }
                let text: String
                switch format {
                case .csv: text = report.csv()
                case .md: text = try report.render(zone: store.zone, format: .md, template: try Template.county(.md, data: options))
                case .html, .pdf: text = try report.render(zone: store.zone, format: .html, template: try Template.county(.html, data: options))
                }
                if format == .pdf {
                    try PDF.print(html: text, to: out!)
                    print("wrote \(out!)")
                } else if let out {
                    do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                        throw SanjiError(.io, "cannot write \(out): \(error.localizedDescription)")
                    }
                    print("wrote \(out)")
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the 通报's default templates for the county to edit (header, salutation, opening, 工作要求).",
            discussion: """
                  sanji report template --data ./county          # writes ./county/report/monthly.html.mustache and monthly.md.mustache
                Edit them in any text editor: the words are yours; {{title}}, {{issuer}}, {{doc_number}}, {{date_line}},
                {{period_line}}, {{#story}}…{{/story}} and {{#sections}}…{{/sections}} bring in the figures
                (docs/operations.md lists every name). `report monthly` then uses them. Existing files are kept
                unless --force.
                """)

        @Option(help: ArgumentHelp("Write here instead of <data>/report.", valueName: "dir")) var out: String?
        @Flag(help: "Overwrite templates that exist.") var force = false
        @OptionGroup var options: DataOptions

        /// The county's own template of `format`, if it keeps one under `<data>/report/`.
        static func county(_ format: MonthlyReport.TemplateFormat, data: DataOptions) throws -> String? {
            let url = data.directory.appendingPathComponent("report").appendingPathComponent(format.fileName)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            do { return try String(contentsOf: url, encoding: .utf8) } catch {
                throw SanjiError(.io, "cannot read the county's template \(url.path): \(error.localizedDescription)")
            }
        }

        func run() throws {
            try Console.run {
                let dir = out.map { URL(fileURLWithPath: $0) } ?? options.directory.appendingPathComponent("report")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                for format in MonthlyReport.TemplateFormat.allCases {
                    let url = dir.appendingPathComponent(format.fileName)
                    if FileManager.default.fileExists(atPath: url.path), !force {
                        print("kept \(url.path) (exists; --force overwrites it)")
                        continue
                    }
                    try MonthlyReport.defaultTemplate(format).write(to: url, atomically: true, encoding: .utf8)
                    print("wrote \(url.path)")
                }
            }
        }
    }
}

/// HTML to PDF through headless Chromium, where it is installed.
enum PDF {
    /// The browsers tried, in order.
    static let browsers = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    static func browser() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in browsers {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
        }
        return nil
    }

    static func print(html: String, to out: String) throws {
        guard let browser = browser() else {
            throw SanjiError(.invalidArgument, "--format pdf needs headless Chromium, and none is installed here (tried \(browsers.joined(separator: ", ")))",
                             hint: "install it (Debian: apt-get install chromium fonts-noto-cjk), or write --format html and print it from a browser on A4")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-pdf-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        let target = URL(fileURLWithPath: out).standardizedFileURL.path
        try? FileManager.default.removeItem(atPath: target)
        let result = try Spawn.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                             "--user-data-dir=\(dir.path)/profile", "--print-to-pdf=\(target)", page.path])
        guard result.status == 0, FileManager.default.fileExists(atPath: target) else {
            throw SanjiError(.io, "Chromium could not print \(out) (exit \(result.status)): \(result.stderr.suffix(400))")
        }
    }
}
