import Control
import Foundation
import Ingest
import Settings

/// The service's socket: `--control-socket PATH`, else the default.
func connect(_ args: inout Arguments) throws -> ControlClient {
    let path = try args.option("--control-socket") ?? "/run/recorder-gateway/control.sock"
    do {
        return try ControlClient(path: path)
    } catch {
        switch error.errno {
        case ENOENT, ECONNREFUSED: throw ServiceDown(description: "cannot reach recorder-gatewayd at \(path): it is not running (systemctl status recorder-gatewayd)")
        case EACCES: throw ServiceDown(description: "cannot reach recorder-gatewayd at \(path): permission denied (join the recorder-gateway group)")
        default: throw ServiceDown(description: "cannot reach recorder-gatewayd: \(error)")
        }
    }
}

struct ServiceDown: Error, CustomStringConvertible { var description: String }

/// A service call whose `not-found` becomes exit 3.
func call(_ client: ControlClient, _ command: String, _ args: [String: String] = [:]) throws -> [String: Any] {
    do {
        return (try client.call(command, args: args) as? [String: Any]) ?? [:]
    } catch let error as ControlError where error.code == "not-found" {
        throw NotFound(description: error.message)
    }
}

func text(_ value: Any?) -> String {
    switch value {
    case nil, is NSNull: "-"
    case let s as String: s
    case let n as NSNumber: n.stringValue
    default: "\(value!)"
    }
}

func bytesText(_ value: Any?) -> String {
    guard let n = (value as? NSNumber)?.doubleValue else { return "-" }
    return n >= 1e9 ? String(format: "%.1f GB", n / 1e9) : String(format: "%.0f MB", n / 1e6)
}

func clockText(_ value: Any?) -> String {
    guard let ms = (value as? NSNumber)?.doubleValue else { return "-" }
    return abs(ms) < 50 ? "+0.0 s" : String(format: "%+.1f s", ms / 1000)
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count)
}

/// One line per bay, for `devices` and the plain form of `watch`.
func bayRows(_ bays: [[String: Any]]) -> [String] {
    var lines = ["BAY      SERIAL   OFFICER  STATE         DONE  BATTERY  FREE      CLOCK"]
    for b in bays {
        let state = text(b["state"]) == "ingesting" ? "ingesting \(text(b["percent"]))%" : text(b["state"])
        lines.append(pad(text(b["bay"]), 8) + " " + pad(text(b["serial"]), 8) + " " + pad(text(b["officer"]), 8) + " "
                     + pad(state, 13) + " " + pad("\(text(b["percent"]))%", 5) + " "
                     + pad(b["battery"] is NSNull ? "-" : "\(text(b["battery"]))%", 8) + " " + pad(bytesText(b["storageFree"]), 9)
                     + " " + clockText(b["clockOffsetMs"]))
    }
    return lines
}

let devicesCommand = Command(
    name: "devices",
    synopsis: "devices                              one row per bay: recorder, state, battery, clock",
    help: """
    usage: recorderctl devices [--control-socket PATH] [--json]

    Asks the running service for every bay it has seen: bay, serial, officer, state
    (identifying, authenticating, cataloguing, ingesting with percent, finalizing, releasing,
    done, interrupted, error), battery, free storage and clock offset. Exit 2 when no recorder
    has been docked yet, 1 when the service is not running.
    """,
    run: { args in
        let client = try connect(&args)
        _ = try args.positionals(min: 0, max: 0)
        let bays = (try call(client, "devices")["bays"] as? [[String: Any]]) ?? []
        var out = Output()
        out.json = ["bays": bays]
        if bays.isEmpty { out.exit = .nothingToDo; out.lines = ["no recorder docked"]; return out }
        out.lines = bayRows(bays)
        return out
    })

let infoCommand = Command(
    name: "info",
    synopsis: "info BAY|SERIAL                      a recorder's state and recent dock sessions",
    help: """
    usage: recorderctl info BAY|SERIAL [--control-socket PATH] [--json]

    The bay's current state (if docked), clock offset, battery, and the recorder's recent dock
    sessions with their bags, from the service's journal. Exit 3 for an unknown bay or serial.
    """,
    run: { args in
        let client = try connect(&args)
        let target = try args.positionals(min: 1, max: 1)[0]
        let info = try call(client, "info", ["target": target])
        var out = Output()
        out.json = info
        out.lines.append("Recorder " + text(info["serial"]))
        if let bay = info["bay"] as? [String: Any] { out.lines += bayRows([bay]) }
        if let r = info["recordings"] as? [String: Any] {
            out.lines.append("Recordings: \(text(r["ingested"])) ingested, \(text(r["quarantined"])) quarantined, \(text(r["released"])) released")
        }
        out.lines.append("Recent dock sessions:")
        for s in (info["sessions"] as? [[String: Any]]) ?? [] {
            out.lines.append("  \(text(s["started"]))  \(pad(text(s["state"]), 9)) bay \(pad(text(s["bay"]), 7)) \(text(s["bag"]))")
        }
        return out
    })

let filesCommand = Command(
    name: "files",
    synopsis: "files BAY|SERIAL                     each recording's ingest and release state",
    help: """
    usage: recorderctl files BAY|SERIAL [--control-socket PATH] [--json]

    Every recording the gateway holds of the recorder (its ledger): id, size, verified or
    quarantined, the bag it is in, and when the recorder released it. Exit 3 for an unknown bay
    or serial, 2 when nothing has been ingested from it yet.
    """,
    run: { args in
        let client = try connect(&args)
        let target = try args.positionals(min: 1, max: 1)[0]
        let result = try call(client, "files", ["target": target])
        let files = (result["files"] as? [[String: Any]]) ?? []
        var out = Output()
        out.json = result
        if files.isEmpty { out.exit = .nothingToDo; out.lines = ["nothing ingested from \(target) yet"]; return out }
        out.lines = ["  ID  SIZE          STATE        RELEASED                  BAG"]
        for f in files {
            out.lines.append(String(format: "%4@  ", text(f["recordingId"])) + pad(text(f["size"]), 13) + " " + pad(text(f["state"]), 12) + " "
                             + pad(text(f["released"]), 25) + " " + text(f["bag"]))
        }
        return out
    })

let watchCommand = Command(
    name: "watch",
    synopsis: "watch [--interval S] [--count N]     the kiosk screen: every bay, redrawn live",
    help: """
    usage: recorderctl watch [--interval SECONDS] [--count N] [--control-socket PATH]

    The kiosk screen: one row per bay with a progress bar, MB/s, ETA and a state colour,
    redrawn in place every SECONDS (0.1...3600, default 1) on a terminal, fitting 80 columns.
    When the output is not a terminal it prints plain lines instead, one block per refresh.
    --count stops after N refreshes (a whole number; default 0: until interrupted).
    """,
    run: { args in
        let intervalText = try args.option("--interval") ?? "1"
        guard let interval = SecondsValue.parse(intervalText, in: 0.1...3600) else {
            throw UsageError(description: "--interval must be a number of seconds within 0.1...3600, not \"\(intervalText)\"")
        }
        let countText = try args.option("--count") ?? "0"
        guard let count = Int(countText), count >= 0 else {
            throw UsageError(description: "--count must be a whole number of refreshes, 0 (until interrupted) or more, not \"\(countText)\"")
        }
        let client = try connect(&args)
        _ = try args.positionals(min: 0, max: 0)
        let tty = isatty(STDOUT_FILENO) == 1
        var drawn = 0
        var round = 0
        while count == 0 || round < count {
            round += 1
            let bays = (try call(client, "devices")["bays"] as? [[String: Any]]) ?? []
            let lines = tty ? watchScreen(bays) : bayRows(bays)
            if tty {
                var screen = drawn > 0 ? "\u{1B}[\(drawn)A" : ""
                for l in lines { screen += "\u{1B}[2K" + l + "\n" }
                FileHandle.standardOutput.write(Data(screen.utf8))
                drawn = lines.count
            } else {
                print(lines.joined(separator: "\n"))
                print("")
            }
            if count == 0 || round < count { Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18) }
        }
        return Output(exit: .ok, lines: [], json: [:])
    })

/// Rows for a terminal: "1-1.3  A100003 010003 [#######.......]  52%  40.1 MB/s ETA 0:12 ingesting".
func watchScreen(_ bays: [[String: Any]]) -> [String] {
    var lines = ["recorder-gateway  " + ISO8601DateFormatter().string(from: Date()) + "  \(bays.count) bay(s)"]
    if bays.isEmpty { lines.append("  no recorder docked") }
    for b in bays {
        // The service sends 0...100; anything else is clamped before it is multiplied.
        let percent = max(0, min(100, (b["percent"] as? NSNumber)?.intValue ?? 0))
        let width = 16
        let filled = percent * width / 100
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        let mbps = (b["mbps"] as? NSNumber)?.doubleValue ?? 0
        let done = (b["bytesDone"] as? NSNumber)?.doubleValue ?? 0, total = (b["bytesTotal"] as? NSNumber)?.doubleValue ?? 0
        let state = text(b["state"])
        var eta = "        "
        if state == "ingesting", let text = ETAText.text(remainingBytes: total - done, bytesPerSecond: mbps * 1e6) {
            eta = text
        }
        let colour = switch state {
        case "done": "\u{1B}[32m"
        case "error": "\u{1B}[31m"
        case "interrupted": "\u{1B}[33m"
        default: "\u{1B}[36m"
        }
        lines.append(pad(text(b["bay"]), 7) + " " + pad(text(b["serial"]), 7) + " " + pad(text(b["officer"]), 6) + " " + bar
                     + String(format: " %3d%% %5.1f MB/s ", percent, mbps) + eta + " " + colour + pad(state, 12) + "\u{1B}[0m")
    }
    return lines
}

let queueCommand = Command(
    name: "queue",
    synopsis: "queue                                the forward queue to the remote evidence store",
    help: """
    usage: recorderctl queue [--control-socket PATH] [--json]

    One row per bag: objects verified in the remote store, pending, failed, and the last error.
    Exit 2 when this gateway forwards nothing, 1 when an object has failed for good
    (`recorderctl retry BAG` puts it back in the queue).
    """,
    run: { args in
        let client = try connect(&args)
        _ = try args.positionals(min: 0, max: 0)
        let q = try call(client, "queue")
        var out = Output()
        out.json = q
        guard q["bucket"] != nil else { out.exit = .nothingToDo; out.lines = ["this gateway forwards nothing"]; return out }
        out.lines = ["store s3://\(text(q["bucket"]))/\(text(q["prefix"])) at \(text(q["endpoint"]))"
                     + ((q["forwarding"] as? Bool) == true ? "" : "  (NOT forwarding: the store could not be checked at start)")]
        out.lines.append("BAG                                    OBJECTS VERIFIED PENDING FAILED  LAST ERROR")
        for b in (q["bags"] as? [[String: Any]]) ?? [] {
            out.lines.append(pad(text(b["bag"]), 38) + " " + String(format: "%7d %8d %7d %6d  ", (b["objects"] as? Int) ?? 0,
                             (b["verified"] as? Int) ?? 0, (b["pending"] as? Int) ?? 0, (b["failed"] as? Int) ?? 0) + text(b["lastError"]))
            if ((b["failed"] as? Int) ?? 0) > 0 { out.exit = .failure }
        }
        return out
    })

let retryCommand = Command(
    name: "retry",
    synopsis: "retry BAG                            put a bag's failed uploads back in the queue",
    help: """
    usage: recorderctl retry BAG [--control-socket PATH] [--json]

    Puts the objects of BAG that the store refused for good back in the forward queue (after
    the cause, such as a full bucket or a wrong key, was fixed). Exit 3 for a bag that is not
    in the queue.
    """,
    run: { args in
        let client = try connect(&args)
        let bag = try args.positionals(min: 1, max: 1)[0]
        let r = try call(client, "retry", ["target": bag])
        return Output(exit: .ok, lines: ["\(text(r["requeued"])) object(s) of \(bag) queued again"], json: r)
    })

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
    """,
    run: { args in
        var r: [String: Any]
        if args.flag("--direct") {
            var password = try args.option("--password")
            let configPath = try args.option("--config")
            let target = try args.positionals(min: 1, max: 1)[0]
            let config = try configPath.map { path throws(UsageError) in try resolved(CommandLineSettings(config: path)) }
            if password == nil, let config { password = config.password(for: target) ?? config.defaultPassword }
            let secret = password
            let probe = runBlocking { await DirectProbe.run(target: target, password: secret) }
            if let missing = probe.notFound { throw NotFound(description: missing) }
            let checks = Diagnosis.evaluate(probe.facts, clockOffsetMs: probe.clockOffsetMs)
            r = ["bay": probe.bay.map { $0 as Any } ?? NSNull(), "serial": probe.serial.map { $0 as Any } ?? NSNull(),
                 "checks": checks.map { ["name": $0.name, "result": $0.verdict.rawValue, "detail": $0.detail, "hint": $0.hint] }]
        } else {
            let client = try connect(&args)
            let target = try args.positionals(min: 1, max: 1)[0]
            r = try call(client, "diagnose", ["target": target])
        }
        let checks = (r["checks"] as? [[String: Any]]) ?? []
        var out = Output()
        out.json = r
        out.lines = ["Bay \(text(r["bay"]))  recorder \(text(r["serial"]))"]
        for c in checks {
            out.lines.append(pad(text(c["result"]), 5) + " " + pad(text(c["name"]), 16) + " " + text(c["detail"]))
            if let hint = c["hint"] as? String, !hint.isEmpty { out.lines.append("                       hint: \(hint)") }
            if text(c["result"]) == "FAIL" { out.exit = .failure }
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

let captureCommand = Command(
    name: "capture",
    synopsis: "capture BAY --out FILE               record the next dock in BAY for a bug report",
    help: """
    usage: recorderctl capture BAY --out FILE [--control-socket PATH] [--json]

    Asks the service to record every USB transfer of the next dock in BAY into FILE, an
    emulation file (Docs/simulator.md, "Captures"). Attach it to a bug report:
    `recorder-gatewayd --replay FILE` plays the recorder back exactly, so a field problem
    becomes a test case (recorder-sim cannot play captures back). The file holds the recorder's data (footage included):
    treat it as evidence.
    """,
    run: { args in
        guard let out = try args.option("--out") else { throw UsageError(description: "--out FILE is required") }
        let client = try connect(&args)
        let bay = try args.positionals(min: 1, max: 1)[0]
        let path = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        let r = try call(client, "capture", ["target": bay, "path": path])
        return Output(exit: .ok, lines: ["the next dock in bay \(bay) will be recorded to \(path)"], json: r)
    })
