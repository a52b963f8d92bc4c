import Foundation
import TestSupport
import Testing

/// Runs `arguments` through /usr/bin/env (so `python3` is found on PATH), standard input
/// `input` or empty, standard output and error together.
func run(_ arguments: [String], input: String? = nil) throws -> CommandResult {
    try TestSupport.run("/usr/bin/env", arguments, input: Data((input ?? "").utf8), mergingErrors: true)
}

/// Whether `python3 -c "import <module>"` works; records an issue saying how to get it if not.
func requirePython(module: String, install: String) throws -> Bool {
    let probe = try run(["python3", "-c", "import \(module)"])
    if probe.status != 0 {
        Issue.record("python3 module \(module) is missing: run `\(install)` (Tools/test installs it). \(probe.output)")
        return false
    }
    return true
}
