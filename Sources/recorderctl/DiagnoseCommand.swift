import Control
import Foundation
import Settings

let diagnoseCommand = Command(
    name: "diagnose",
    synopsis: "diagnose BAY|SERIAL                  PASS/WARN/FAIL checks of a recorder and its link",
    help: """
    usage: recorderctl diagnose BAY|SERIAL [--control-socket PATH] [--json]
           recorderctl diagnose BAY|SERIAL --direct [--password P | --config FILE] [--json]

    Checks, from the service's last dock in that bay: enumeration and descriptors (the device
    opened and claimed, with its link and driver), authentication, clock drift against the
    3 s/day norm (or the offset, when the time log has no sync point), read throughput against
    the link's capacity, and transfer errors (timeouts, corrupt replies, re-reads). Each check
    is PASS, WARN or FAIL with a one-line hint. Exit 1 when any check FAILs, 3 for an unknown
    bay. With --direct, the checks run against the USB device itself (the service must not be
    running): HELLO, IDENTITY, AUTHENTICATE, five clock samples, the drift from the recorder's
    time log, and a read of up to 32 MiB of its largest recording.

    A bay whose last dock was a vendor recorder's dance walks the dance in order instead:
    vendor device (the family chosen), each unlock command with the device's answer (the
    password shown as <password>), storage switch, return as mass storage, then the read
    checks of the disk it came back as. The first FAIL is the step that failed; the steps
    after it say "not reached" (WARN).
    """,
    run: { args in
        let r: DiagnoseResult
        if args.flag("--direct") {
            var password = try args.option("--password")
            let configPath = try args.option("--config")
            let target = try args.positionals(min: 1, max: 1)[0]
            let config = try configPath.map { path throws(UsageError) in try resolved(CommandLineSettings(config: path)) }
            if password == nil, let config { password = config.password(for: target) ?? config.defaultPassword }
            let secret = password
            let probe = runBlocking { await DirectProbe.run(target: target, password: secret) }
            if let missing = probe.notFound { throw NotFound(description: missing) }
            r = DiagnoseResult(bay: probe.bay, serial: probe.serial, facts: probe.facts, clockOffsetMs: probe.clockOffsetMs)
        } else {
            let client = try connect(&args)
            let target = try args.positionals(min: 1, max: 1)[0]
            r = try call(client, "diagnose", ["target": target], as: DiagnoseResult.self)
        }
        var out = Output()
        out.json = jsonObject(r)
        out.lines = ["Bay \(text(r.bay))  recorder \(text(r.serial))"]
        // A dance's names ("return as mass storage") are longer than the reading's.
        let width = max(16, r.checks.map(\.name.count).max() ?? 0)
        let hintIndent = String(repeating: " ", count: width + 7)
        for c in r.checks {
            out.lines.append(pad(c.result, 5) + " " + pad(c.name, width) + " " + c.detail)
            if !c.hint.isEmpty { out.lines.append("\(hintIndent)hint: \(c.hint)") }
            if c.result == "FAIL" { out.exit = .failure }
        }
        return out
    })

/// Runs async work from the synchronous command table.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

final class ResultBox<T>: @unchecked Sendable { var value: T? }
