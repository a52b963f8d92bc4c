import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed after `body`.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("gateway-crypto-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// The permission bits of the file at `path` (e.g. 0o600).
func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int)
}

struct CommandResult {
    var status: Int32
    var output: String
    var errorOutput: String
}

/// The stock openssl command-line tool, the independent implementation the interop tests check
/// against. Debian ships it in the `openssl` package (libssl-dev does not pull it in).
let opensslPath = "/usr/bin/openssl"

/// Runs `openssl arguments…` in `directory` and returns its exit status and output.
func runOpenSSL(_ arguments: [String], in directory: URL) throws -> CommandResult {
    try #require(FileManager.default.isExecutableFile(atPath: opensslPath),
                 "\(opensslPath) is missing: install the Debian package openssl")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: opensslPath)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let output = Pipe(), errorOutput = Pipe()
    process.standardOutput = output
    process.standardError = errorOutput
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read before waiting, so a chatty child cannot block on a full pipe.
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errorOutput.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         output: String(decoding: out, as: UTF8.self),
                         errorOutput: String(decoding: err, as: UTF8.self))
}
