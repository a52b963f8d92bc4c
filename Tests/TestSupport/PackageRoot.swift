import Foundation

/// The package's root folder (where Package.swift is), found from this file's path, so tests
/// can reach the repository's scripts and documents (Tests/peers, Docs) from any working directory.
public let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()   // Tests/TestSupport
    .deletingLastPathComponent()   // Tests
    .deletingLastPathComponent()
