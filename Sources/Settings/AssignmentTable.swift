import Foundation

/// The kiosk's assignment table (`assignments`): who a recorder is issued to, for families
/// that cannot say (amba-ctrl has no identity command, amba-ascii only a device id). Keyed by
/// the recorder's USB serial or its family's device id.
///
/// Format, one recorder a line, `#` starts a comment line:
///
///     A1B2C3D  = 012345, 110101000000, 张三, 某某派出所
///     CAM-0042 = 054321, 110102000000
///
/// Key: 1…64 ASCII letters, digits, `-`, `_` or `.`. Then officer number and unit number
/// (each 1…32 characters without spaces or commas), optionally the officer's name and the
/// unit's name (no commas). Each key once.
public struct AssignmentTable: Sendable, Equatable {
    public struct Assignment: Sendable, Equatable {
        public var officerNumber: String
        public var unitNumber: String
        public var officerName: String
        public var unitName: String
    }

    public private(set) var entries: [String: Assignment] = [:]

    public init() {}

    /// The assignment of the first of `keys` the table holds, with the key that matched.
    public func lookup(_ keys: [String]) -> (key: String, assignment: Assignment)? {
        for key in keys where !key.isEmpty {
            if let a = entries[key] { return (key, a) }
        }
        return nil
    }

    /// Parses the table's text.
    ///
    /// - Throws: `ConfigError` naming the file, line and what is wrong.
    public init(text: String, file: String) throws(ConfigError) {
        var seen: [String: Int] = [:]
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ key: String, _ reason: String) -> ConfigError { ConfigError(file: file, line: number, key: key, reason: reason) }
            guard let eq = line.firstIndex(of: "=") else { throw fail(line, "expected `SERIAL-OR-DEVICE-ID = OFFICER-NUMBER, UNIT-NUMBER[, OFFICER NAME[, UNIT NAME]]`") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard (1...64).contains(key.utf8.count),
                  key.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || "-_.".utf8.contains($0) }) else {
                throw fail(key, "is not a recorder's serial or device id (1...64 ASCII letters, digits, -, _ or .)")
            }
            if let first = seen[key] { throw fail(key, "listed twice (first on line \(first))") }
            seen[key] = number
            let fields = line[line.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard (2...4).contains(fields.count) else { throw fail(key, "needs an officer number and a unit number, then optionally the officer's and the unit's names, separated by commas") }
            for (i, name) in [(0, "officer number"), (1, "unit number")] {
                guard (1...32).contains(fields[i].count), !fields[i].contains(where: \.isWhitespace) else {
                    throw fail(key, "the \(name) must be 1...32 characters without spaces")
                }
            }
            for f in fields where f.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                _ = f
                throw fail(key, "holds a control character")
            }
            entries[key] = Assignment(officerNumber: fields[0], unitNumber: fields[1],
                                      officerName: fields.count > 2 ? fields[2] : "", unitName: fields.count > 3 ? fields[3] : "")
        }
    }

    /// The table in the file at `path`.
    public static func read(_ path: String) throws(ConfigError) -> AssignmentTable {
        try AssignmentTable(text: try GatewayConfig.text(ofFile: path), file: path)
    }
}
