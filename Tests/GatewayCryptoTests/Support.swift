import Foundation
import TestSupport
import Testing

/// The permission bits of the file at `path` (e.g. 0o600).
func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int)
}

/// The stock openssl command-line tool, the independent implementation the interop tests check
/// against. Debian ships it in the `openssl` package (libssl-dev does not pull it in).
let opensslPath = "/usr/bin/openssl"

/// Runs `openssl arguments…` in `directory` and returns its exit status and output.
func runOpenSSL(_ arguments: [String], in directory: URL) throws -> CommandResult {
    try #require(FileManager.default.isExecutableFile(atPath: opensslPath),
                 "\(opensslPath) is missing: install the Debian package openssl")
    return try run(opensslPath, arguments, directory: directory)
}
