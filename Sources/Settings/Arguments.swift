/// A command line, consumed as the program asks for each option: the one argument parser of
/// recorder-gatewayd, recorderctl and recorder-sim (Docs/configuration.md, "Command line").
///
/// Options may stand anywhere: before the command, between positionals, after them. An option
/// that takes a value takes the next argument, which must not start with `--`. When an option
/// is given more than once the last one counts. What no one asked for is left in `rest`, for
/// the program to refuse (`positionals(min:max:)` does so naming the first unknown option).
public struct Arguments: Sendable {
    private var items: [String]

    public init(_ items: [String]) { self.items = items }

    /// What is left, in order.
    public var rest: [String] { items }

    /// Removes every `name`; true when there was one.
    public mutating func flag(_ name: String) -> Bool {
        let before = items.count
        items.removeAll { $0 == name }
        return items.count != before
    }

    /// Removes every `name VALUE` and returns the last VALUE; nil when `name` is absent.
    ///
    /// - Throws: `UsageError` "NAME needs a value" when `name` is last or followed by an option.
    public mutating func option(_ name: String) throws(UsageError) -> String? {
        try options(name).last
    }

    /// Removes every `name VALUE`, returning the values in order (a repeatable option).
    ///
    /// - Throws: `UsageError` "NAME needs a value" when `name` is last or followed by an option.
    public mutating func options(_ name: String) throws(UsageError) -> [String] {
        var values: [String] = []
        while let i = items.firstIndex(of: name) {
            guard i + 1 < items.count, !items[i + 1].hasPrefix("--") else { throw UsageError(description: "\(name) needs a value") }
            values.append(items[i + 1])
            items.removeSubrange(i...(i + 1))
        }
        return values
    }

    /// Removes `name [VALUE]`: nil when absent, `.some(nil)` when given without a value (the
    /// next argument is missing or an option), `.some(VALUE)` otherwise.
    public mutating func optionalValue(_ name: String) -> String?? {
        guard let i = items.firstIndex(of: name) else { return nil }
        if i + 1 < items.count, !items[i + 1].hasPrefix("--") {
            let value = items[i + 1]
            items.removeSubrange(i...(i + 1))
            return .some(value)
        }
        items.remove(at: i)
        return .some(nil)
    }

    /// Removes and returns the first argument that is neither an option nor the value of one
    /// of `valueOptions` (the options that take a value): the command of a program whose
    /// options may come before it. Nil when there is none.
    public mutating func command(valueOptions: Set<String>) -> String? {
        var i = 0
        while i < items.count {
            let item = items[i]
            if item.hasPrefix("-") {
                i += valueOptions.contains(item) ? 2 : 1
                continue
            }
            items.remove(at: i)
            return item
        }
        return nil
    }

    /// The remaining positional arguments; fails on a leftover option or a wrong count.
    public mutating func positionals(min: Int, max: Int) throws(UsageError) -> [String] {
        if let unknown = items.first(where: { $0.hasPrefix("--") }) { throw UsageError(description: "unknown option \(unknown)") }
        guard items.count >= min else { throw UsageError(description: "missing argument") }
        guard items.count <= max else { throw UsageError(description: "unexpected argument \(items[max])") }
        defer { items = [] }
        return items
    }
}

/// A command line that cannot be obeyed; the programs exit 64 (EX_USAGE) with its description.
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
