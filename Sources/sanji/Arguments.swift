import ArgumentParser
import Logging
import SanjiCore
import SanjiReport

// Options with a closed set of values are typed: `--help` lists the values, a wrong one is
// refused before anything runs, and the forgiving spellings clerks use (县/乡/村, 窗口, 准予 …) are
// accepted wherever Core accepts them.

extension Level: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension CaseChannel: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension EvalChannel: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Outcome: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Grade: ExpressibleByArgument {
    public init?(argument: String) {
        guard case .success(let grade) = Grade.parse(argument, codes: nil) else { return nil }
        self = grade
    }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Grade.Codes: ExpressibleByArgument {}
extension Rounding: ExpressibleByArgument {}
extension CatalogScope: ExpressibleByArgument {}
extension DashboardReport.Language: ExpressibleByArgument {}
extension BreakdownKind: ExpressibleByArgument {}

extension TextEncoding: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// How `sanji serve` writes its log.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// Lines for people.
    case text
    /// One JSON object per line, for log collectors.
    case json
}

/// Where staff (工号) figures may be seen (`catalog settings --staff-figures`).
enum StaffFigures: String, ExpressibleByArgument, CaseIterable {
    /// At the station only (the default).
    case station
    /// At the station and every node above it.
    case county
}
