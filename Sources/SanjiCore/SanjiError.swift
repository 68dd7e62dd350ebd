/// An error a person can act on: what went wrong, and how to fix it.
public struct SanjiError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case notInitialized, alreadyInitialized, invalidArgument, notRoot, unknownItem, itemNotHandled
        case itemWithdrawn, unknownCase, caseConflict, unknownEvaluation, importRejected, io, schemaTooNew
    }

    public let code: Code
    public let message: String
    public let hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message)\n  hint: \($0)" } ?? message }
}

/// Why a value or a row is refused, in words; the caller adds where it stands (file, line, field).
public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// One problem with one row of a file: rendered `file:line: field: what is wrong`.
public struct RowIssue: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let field: String
    public let message: String

    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String { "\(file):\(line): \(field): \(message)" }
}
