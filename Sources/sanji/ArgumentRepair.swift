import ArgumentParser
import SanjiCore

/// What the CLI does with its arguments before ArgumentParser reads them, so that the mistakes
/// people make at a station's keyboard get an answer naming the right command:
///
/// - a subcommand that does not exist (`sanji dashbaord`, `sanji import case`) is named, with the
///   closest that do, instead of ArgumentParser's "Unknown option '--data'";
/// - an option the command does not have (`--mnth`) is named, with the closest it has, instead of
///   a complaint about whichever argument the parser then tripped over;
/// - the argument after an option that takes a value is that value, even when it begins with '-'
///   (`--visits -1`, a CURVE key such as `--key -Xy…`): it is passed on as `--visits=-1`.
///
/// It learns each command's options from ArgumentParser's own help text (hidden ones included), so
/// nothing is listed twice.
enum ArgumentRepair {
    /// A mistake found before parsing: what to print, and the exit status (64, a usage error).
    struct Mistake: Error, Equatable {
        let message: String
    }

    /// The arguments (without the program name) as ArgumentParser should read them, or the mistake.
    static func repair(_ arguments: [String], root: ParsableCommand.Type) -> Result<[String], Mistake> {
        var command = root
        var path = [Self.name(of: root)]
        var i = 0
        // The command path: words that name subcommands.
        while i < arguments.count {
            let word = arguments[i]
            let subcommands = Self.subcommands(of: command)
            if word.hasPrefix("-") || subcommands.isEmpty { break }
            if path.count == 1, word == "help" { return .success(arguments) }
            if let sub = subcommands.first(where: { $0.names.contains(word) }) {
                command = sub.type
                path.append(word)
                i += 1
                continue
            }
            // A command with a default subcommand may take this word as that one's argument.
            if Self.hasDefault(command) { break }
            let names = subcommands.filter(\.shown).map { $0.names[0] }
            let here = path.joined(separator: " ")
            var message = "`\(here) \(word)`: there is no such command"
            let close = Suggestions.closest(to: word, in: names)
            if !close.isEmpty { message += "; did you mean " + close.map { "`\(here) \($0)`" }.joined(separator: " or ") + "?" }
            message += "\n  The commands of `\(here)`: \(names.joined(separator: ", ")) (`\(here) --help` says what each does)."
            return .failure(Mistake(message: message))
        }
        // A command with a default subcommand (`sanji copies` is `sanji copies list`) takes that
        // one's options too.
        var options = Self.options(of: command, root: root)
        if let fallback = Self.defaultSubcommand(of: command) { options.merge(Self.options(of: fallback, root: root)) { $0 || $1 } }
        var out = Array(arguments[..<i])
        while i < arguments.count {
            let word = arguments[i]
            i += 1
            if word == "--" {
                out.append(contentsOf: [word] + arguments[i...])
                break
            }
            guard word.hasPrefix("--") else {
                out.append(word)
                continue
            }
            let name = String(word.split(separator: "=", maxSplits: 1)[0])
            guard let takesValue = options[name] else {
                let here = path.joined(separator: " ")
                var message = "`\(here)` has no option \(name)"
                let close = Suggestions.closest(to: name, in: options.keys.filter { $0 != "--experimental-dump-help" })
                if !close.isEmpty { message += "; did you mean " + close.joined(separator: " or ") + "?" }
                message += "\n  See '\(here) --help' for its options."
                return .failure(Mistake(message: message))
            }
            // The next argument is the option's value, whatever it begins with, unless it is one
            // of the command's options (then the value is missing, and ArgumentParser says so).
            if takesValue, !word.contains("="), i < arguments.count, arguments[i].hasPrefix("-"), options[arguments[i]] == nil, arguments[i] != "-h" {
                out.append(word + "=" + arguments[i])
                i += 1
            } else {
                out.append(word)
            }
        }
        return .success(out)
    }

    /// A subcommand: its name first, then its aliases; whether `--help` lists it.
    struct Subcommand {
        let type: ParsableCommand.Type
        let names: [String]
        let shown: Bool
    }

    static func name(of command: ParsableCommand.Type) -> String { command._commandName }

    static func subcommands(of command: ParsableCommand.Type) -> [Subcommand] {
        let configuration = command.configuration
        return configuration.subcommands.map { sub in
            let c = sub.configuration
            return Subcommand(type: sub, names: [name(of: sub)] + c.aliases, shown: c.shouldDisplay)
        }
    }

    static func hasDefault(_ command: ParsableCommand.Type) -> Bool { command.configuration.defaultSubcommand != nil }

    static func defaultSubcommand(of command: ParsableCommand.Type) -> ParsableCommand.Type? { command.configuration.defaultSubcommand }

    /// A command's long options, each with whether it takes a value, read from its help text
    /// (hidden options included).
    static func options(of command: ParsableCommand.Type, root: ParsableCommand.Type) -> [String: Bool] {
        let help = root.helpMessage(for: command, includeHidden: true, columns: 10_000)
        // The overview and discussion come before USAGE and may name other commands' options.
        let text = help.range(of: "USAGE:").map { String(help[$0.lowerBound...]) } ?? help
        // ArgumentParser's own: help (hidden options too), the version, completion scripts.
        var found: [String: Bool] = ["--help": false, "--help-hidden": false, "--version": false, "--experimental-dump-help": false,
                                     "--generate-completion-script": true]
        let scalars = Array(text.unicodeScalars)
        var k = 0
        func isNameScalar(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) || s == "-" }
        while k + 2 < scalars.count {
            guard scalars[k] == "-", scalars[k + 1] == "-", k == 0 || !isNameScalar(scalars[k - 1]), ("a"..."z").contains(scalars[k + 2]) else {
                k += 1
                continue
            }
            var end = k + 2
            while end < scalars.count, isNameScalar(scalars[end]) { end += 1 }
            let name = String(String.UnicodeScalarView(scalars[k..<end]))
            // `--month <yyyy-mm>` takes a value; `--watch` does not.
            let takesValue = end + 1 < scalars.count && (scalars[end] == " " || scalars[end] == "=") && scalars[end + 1] == "<"
            found[name] = (found[name] ?? false) || takesValue
            k = end
        }
        return found
    }
}
