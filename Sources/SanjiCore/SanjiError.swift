/// An error a person can act on: what went wrong, and how to fix it.
public struct SanjiError: Error, CustomStringConvertible, Sendable {
    /// The kinds of error, for a caller that tells them apart.
    public enum Code: String, Sendable {
        case notInitialized, alreadyInitialized, invalidArgument, notRoot, unknownItem, itemNotHandled
        case itemWithdrawn, unknownCase, caseConflict, unknownEvaluation, importRejected, io, schemaTooNew
    }

    /// What kind of error.
    public let code: Code
    /// What went wrong, in one sentence.
    public let message: String
    /// How to fix it, when there is something to say.
    public let hint: String?

    /// An error of `code`, with an optional hint.
    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// The message, and the hint on its own line.
    public var description: String { hint.map { "\(message)\n  hint: \($0)" } ?? message }
}

/// Why a value or a row is refused, in words; the caller adds where it stands (file, line, field).
public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, without where.
    public let reason: String

    /// A refusal for `reason`.
    public init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}

/// One problem with one row of a file: rendered `file:line: field: what is wrong`.
public struct RowIssue: Hashable, Sendable, CustomStringConvertible {
    /// The file's name, as the message shows it.
    public let file: String
    /// The line in the file, from 1.
    public let line: Int
    /// The column or field name.
    public let field: String
    /// What is wrong with the value.
    public let message: String

    /// A problem at `file:line` in `field`.
    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `file:line: field: message`.
    public var description: String { "\(file):\(line): \(field): \(message)" }
}
