import Foundation
import Synchronization

/// A fresh, empty directory under the system temporary directory, named `tests-LABEL-UUID` so
/// that one left behind by a crashed test says whose it was. `remove()` removes it; one a test
/// does not remove goes when the test process exits.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tests-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        removeAtExit(url.path)
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

/// Removes `path` when the test process exits normally. For directories a test cannot remove
/// itself because it hands their path around (a kiosk's store read again after a restart): a
/// suite run makes over a hundred of them, some holding bags of hundreds of MiB, and a CI
/// machine's disk must not fill up run after run. Waiting for exit, not for the last user,
/// means no test ever finds its directory gone under it.
public func removeAtExit(_ path: String) {
    scratchPaths.withLock { paths in
        if paths.isEmpty { atexit { removeScratchPaths() } }
        paths.append(path)
    }
}

private let scratchPaths = Mutex<[String]>([])

private func removeScratchPaths() {
    for path in scratchPaths.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
}
