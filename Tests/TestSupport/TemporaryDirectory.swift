import Foundation

/// A fresh, empty directory under the system temporary directory, named `tests-LABEL-UUID` so
/// that one left behind by a crashed test says whose it was. Nothing removes it but `remove()`.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tests-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `data` at `relativePath`, creating the folders on the way.
    public func write(_ relativePath: String, _ data: Data) throws {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
    }

    /// Writes `text` as UTF-8 at `relativePath`.
    public func write(_ relativePath: String, _ text: String) throws {
        try write(relativePath, Data(text.utf8))
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` with a fresh temporary directory, removed afterwards whether `body` throws or not.
public func withTemporaryDirectory<R>(_ label: String = "tmp", _ body: (URL) throws -> R) throws -> R {
    let directory = try TemporaryDirectory(label)
    defer { directory.remove() }
    return try body(directory.url)
}

/// Runs `body` with a fresh temporary directory, removed afterwards whether `body` throws or not.
public func withTemporaryDirectory<R>(_ label: String = "tmp", _ body: (URL) async throws -> R) async throws -> R {
    let directory = try TemporaryDirectory(label)
    defer { directory.remove() }
    return try await body(directory.url)
}
