import Foundation
import Ingest

/// The arguments after the command name, consumed as the command asks for them.
struct Arguments {
    private var items: [String]

    init(_ items: [String]) { self.items = items }

    /// What is left.
    var rest: [String] { items }

    /// Removes `name` if present.
    mutating func flag(_ name: String) -> Bool {
        guard let i = items.firstIndex(of: name) else { return false }
        items.remove(at: i)
        return true
    }

    /// Removes `name VALUE` if present and returns VALUE.
    mutating func option(_ name: String) throws -> String? {
        guard let i = items.firstIndex(of: name) else { return nil }
        guard i + 1 < items.count, !items[i + 1].hasPrefix("--") else { throw UsageError(description: "\(name) needs a value") }
        let value = items[i + 1]
        items.removeSubrange(i...(i + 1))
        return value
    }

    /// The remaining positional arguments; fails on a leftover option.
    mutating func positionals(min: Int, max: Int) throws -> [String] {
        if let unknown = items.first(where: { $0.hasPrefix("--") }) { throw UsageError(description: "unknown option \(unknown)") }
        guard items.count >= min else { throw UsageError(description: "missing argument") }
        guard items.count <= max else { throw UsageError(description: "unexpected argument \(items[max])") }
        defer { items = [] }
        return items
    }

    /// `--store DIR`, else the `store` of `--config FILE`, else the default store.
    mutating func store() throws -> String {
        if let store = try option("--store") { return store }
        if let config = try option("--config") {
            do { return try GatewayConfig(contentsOf: config).store } catch { throw UsageError(description: "\(error)") }
        }
        return GatewayConfig().store
    }
}
