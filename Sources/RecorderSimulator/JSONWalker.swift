import Foundation
import Calendrical

/// A scenario file that is wrong: the JSON path of the field and what is wrong with it, e.g.
/// `recorders[0].recordings[2].size: must be a whole number of bytes or a size like "2GiB"`.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Reads one JSON object of a scenario, tracking its path for error messages and refusing keys
/// it was not asked about (a misspelt key is an error, not silently ignored).
struct JSONWalker {
    let path: String
    let object: [String: JSONValue]

    init(_ value: JSONValue, path: String) throws(ScenarioError) {
        guard case .object(let object) = value else {
            throw ScenarioError(path: path, reason: "must be a JSON object")
        }
        self.path = path
        self.object = object
    }

    /// Parses JSON text into the top-level walker.
    static func parse(_ data: Data) throws(ScenarioError) -> JSONWalker {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ScenarioError(path: "", reason: "not valid JSON: \(describe(error))")
        }
        return try JSONWalker(value, path: "")
    }

    /// The string value of `key` if it is a string (for fields that take a name or an object).
    func stringValue(_ key: String) -> String? {
        if case .string(let s)? = object[key] { return s }
        return nil
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool {
        if let v = object[key], v != .null { return true }
        return false
    }

    /// Fails on any key not in `allowed`; "comment" is allowed everywhere.
    func allowKeys(_ allowed: [String]) throws(ScenarioError) {
        for key in object.keys.sorted() where !allowed.contains(key) && key != "comment" {
            throw ScenarioError(path: at(key), reason: "is not a known key here (known: \(allowed.joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(ScenarioError) -> String {
        guard let v = try optionalString(key) else { throw ScenarioError(path: at(key), reason: "is required (a string)") }
        return v
    }

    func optionalString(_ key: String) throws(ScenarioError) -> String? {
        guard has(key) else { return nil }
        guard case .string(let s)? = object[key] else { throw ScenarioError(path: at(key), reason: "must be a string") }
        return s
    }

    func bool(_ key: String, default value: Bool) throws(ScenarioError) -> Bool {
        guard has(key) else { return value }
        guard case .bool(let b)? = object[key] else { throw ScenarioError(path: at(key), reason: "must be true or false") }
        return b
    }

    func number(_ key: String) throws(ScenarioError) -> Double? {
        guard has(key) else { return nil }
        guard case .number(let d)? = object[key], d.isFinite else {
            throw ScenarioError(path: at(key), reason: "must be a number")
        }
        return d
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(ScenarioError) -> Int64? {
        guard let d = try number(key) else { return nil }
        guard let v = Int64(exactly: d), range.contains(v) else {
            throw ScenarioError(path: at(key), reason: "must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// A byte count: a whole number, or a string such as "512KiB", "2GiB", "1.5GB", from 0 to
    /// 2^64 − 1 (a size is the protocol's u64). A JSON number passes through a double, so the
    /// largest one taken is 2^64 − 2048; 2^64 itself is refused, never wrapped or trapped on.
    func size(_ key: String) throws(ScenarioError) -> UInt64? {
        guard has(key) else { return nil }
        let range = "0...\(UInt64.max)"
        if let s = stringValue(key) {
            guard let v = parseSize(s) else {
                throw ScenarioError(path: at(key), reason: "\"\(s)\" is not a size within \(range) bytes (examples: 4096, \"512KiB\", \"2GiB\", \"1.5GB\")")
            }
            return v
        }
        guard case .number(let d)? = object[key], let v = UInt64(exactly: d) else {
            throw ScenarioError(path: at(key), reason: "must be a whole number of bytes within \(range), or a size like \"2GiB\"")
        }
        return v
    }

    func object(_ key: String) throws(ScenarioError) -> JSONWalker? {
        guard has(key) else { return nil }
        return try JSONWalker(object[key]!, path: at(key))
    }

    func array(_ key: String) throws(ScenarioError) -> [JSONValue]? {
        guard has(key) else { return nil }
        guard case .array(let a)? = object[key] else { throw ScenarioError(path: at(key), reason: "must be an array") }
        return a
    }

    /// An ISO 8601 time with an offset ("2026-11-26T08:00:00+08:00", fractional seconds
    /// allowed), as UTC milliseconds.
    func time(_ key: String) throws(ScenarioError) -> Int64? {
        guard let s = try optionalString(key) else { return nil }
        guard let ms = parseISO8601Milliseconds(s) else {
            throw ScenarioError(path: at(key), reason: "\"\(s)\" is not an ISO 8601 time with an offset, like \"2026-11-26T08:00:00+08:00\"")
        }
        return ms
    }
}

/// "2GiB" → 2147483648; nil when not a size or not below 2^64 (the protocol's u64).
func parseSize(_ text: String) -> UInt64? {
    let units: [(String, UInt64)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
                                     ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1)]
    let s = text.trimmingCharacters(in: .whitespaces)
    for (suffix, factor) in units where s.hasSuffix(suffix) {
        let number = s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
        // Whole numbers exactly, in integers ("18446744073709551615B" is 2^64 − 1, which a double
        // would round up to 2^64); the product is refused when it does not fit.
        if let whole = UInt64(number) {
            let (bytes, overflow) = whole.multipliedReportingOverflow(by: factor)
            return overflow ? nil : bytes
        }
        // Fractions through a double, rounded to the byte. UInt64(exactly:) refuses 2^64 and
        // beyond (and NaN, infinities, negatives) instead of trapping; below 2^64 every double is
        // a whole number once rounded.
        guard let v = Double(number), v >= 0, let bytes = UInt64(exactly: (v * Double(factor)).rounded()) else { return nil }
        return bytes
    }
    return UInt64(s)
}

/// Milliseconds since 1970 of an ISO 8601 date-time with a zone ("Z" or "+08:00"), or nil.
func parseISO8601Milliseconds(_ s: String) -> Int64? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    f.formatOptions = [.withInternetDateTime]
    if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    return nil
}

/// "2026-11-26T08:00:00.000+08:00": device-local time with milliseconds, as recorders log it.
func formatLocalISO8601(milliseconds: Int64, zoneOffsetMinutes: Int) -> String {
    let local = milliseconds + Int64(zoneOffsetMinutes) * 60_000
    let days = Int64((Double(local) / 86_400_000).rounded(.down))
    let msOfDay = local - days * 86_400_000
    let (y, m, d) = CivilCalendar.civil(days)
    let h = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, sec = msOfDay / 1000 % 60, ms = msOfDay % 1000
    let sign = zoneOffsetMinutes < 0 ? "-" : "+"
    let z = abs(zoneOffsetMinutes)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03d%@%02d:%02d",
                  Int(y), Int(m), Int(d), Int(h), Int(mi), Int(sec), Int(ms), sign, z / 60, z % 60)
}

/// A JSON value that keeps true/false apart from numbers (Foundation's JSONSerialization on
/// Linux does not).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

/// A decoding error in a sentence, without Swift's type names.
func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let context):
        let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
        return underlying ?? context.debugDescription
    default:
        return "\(error)"
    }
}
