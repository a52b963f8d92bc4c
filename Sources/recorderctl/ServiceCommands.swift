import Control
import Foundation
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
func call<Result: Decodable>(_ client: ControlClient, _ command: String, _ args: [String: String] = [:],
                             as type: Result.Type) throws -> Result {
    do {
        return try client.call(command, args: args, as: type)
    } catch let error as ControlError where error.code == "not-found" {
        throw NotFound(description: error.message)
    }
}

/// A result as the object `--json` prints: the members the service sent, as it sent them.
func jsonObject(_ value: some Encodable) -> Any {
    (try? JSONEncoder().encode(value)).flatMap { try? JSONSerialization.jsonObject(with: $0) } ?? [String: Any]()
}

func text(_ value: String?) -> String { value ?? "-" }

func bytesText(_ value: UInt64?) -> String {
    guard let value else { return "-" }
    let n = Double(value)
    return n >= 1e9 ? String(format: "%.1f GB", n / 1e9) : String(format: "%.0f MB", n / 1e6)
}

func clockText(_ value: Double?) -> String {
    guard let ms = value else { return "-" }
    return abs(ms) < 50 ? "+0.0 s" : String(format: "%+.1f s", ms / 1000)
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count)
}

/// One line per bay, for `devices` and the plain form of `watch`.
func bayRows(_ bays: [BayStatus]) -> [String] {
    var lines = ["BAY      SERIAL   OFFICER  STATE         DONE  BATTERY  FREE      CLOCK"]
    for b in bays {
        let state = b.state == "ingesting" ? "ingesting \(b.percent)%" : b.state
        lines.append(pad(b.bay, 8) + " " + pad(text(b.serial), 8) + " " + pad(text(b.officer), 8) + " "
                     + pad(state, 13) + " " + pad("\(b.percent)%", 5) + " "
                     + pad(b.battery.map { "\($0)%" } ?? "-", 8) + " " + pad(bytesText(b.storageFree), 9)
                     + " " + clockText(b.clockOffsetMs))
        // What a finished dock has to say beyond "done" (verified, not released).
        if b.state == "done" || b.state == "refused", !b.note.isEmpty { lines.append(pad("", 9) + "! " + b.note) }
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
    done, interrupted, error, or refused: a USB stick or other mass-storage device that is not
    a recorder, never opened), battery, free storage and clock offset. Exit 2 when no recorder
    has been docked yet, 1 when the service is not running.
    """,
    run: { args in
        let client = try connect(&args)
        _ = try args.positionals(min: 0, max: 0)
        let devices = try call(client, "devices", as: DevicesResult.self)
        let bays = devices.bays
        var out = Output()
        out.json = jsonObject(devices)
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
        let info = try call(client, "info", ["target": target], as: InfoResult.self)
        var out = Output()
        out.json = jsonObject(info)
        out.lines.append("Recorder " + text(info.serial))
        if let bay = info.bay { out.lines += bayRows([bay]) }
        let r = info.recordings
        out.lines.append("Recordings: \(r.ingested) ingested, \(r.quarantined) quarantined, \(r.released) released")
        out.lines.append("Recent dock sessions:")
        for s in info.sessions {
            out.lines.append("  \(s.started)  \(pad(s.state, 9)) bay \(pad(s.bay, 7)) \(s.bag)")
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
        let result = try call(client, "files", ["target": target], as: FilesResult.self)
        let files = result.files
        var out = Output()
        out.json = jsonObject(result)
        if files.isEmpty { out.exit = .nothingToDo; out.lines = ["nothing ingested from \(target) yet"]; return out }
        out.lines = ["  ID  SIZE          STATE        RELEASED                  BAG"]
        for f in files {
            out.lines.append(String(format: "%4@  ", "\(f.recordingId)") + pad("\(f.size)", 13) + " " + pad(f.state, 12) + " "
                             + pad(text(f.released), 25) + " " + f.bag)
        }
        return out
    })

let queueCommand = Command(
    name: "queue",
    synopsis: "queue [--front BAG]                  the forward queue to the remote evidence store, in order",
    help: """
    usage: recorderctl queue [--control-socket PATH] [--json]
           recorderctl queue --front BAG [--control-socket PATH] [--json]

    One row per bag, the bags still to forward first in the order they go (Docs/operations.md,
    "Forwarding order") with why: moved to the front by a technician, important (it holds a
    recording the recorder flagged important), or age (oldest first); then the bags forwarded.
    Each row: objects verified in the remote store, pending, failed, and the last error.
    Exit 2 when this gateway forwards nothing, 1 when an object has failed for good
    (`recorderctl retry BAG` puts it back in the queue).

    --front BAG: moves BAG ahead of every other bag still to forward (the latest move first);
    the service keeps the order across restarts. Uploads already on the wire finish first.
    Exit 3 for a bag that is not in the queue, 2 when every object of it is in the store already.
    """,
    run: { args in
        let front = try args.option("--front")
        let client = try connect(&args)
        _ = try args.positionals(min: 0, max: 0)
        if let front {
            guard !front.isEmpty else { throw UsageError(description: "--front needs a bag name") }
            let r = try call(client, "front", ["target": front], as: FrontResult.self)
            guard r.moved else {
                return Output(exit: .nothingToDo, lines: ["bag \(front) is in the evidence store already: nothing to move"], json: jsonObject(r))
            }
            return Output(exit: .ok, lines: ["bag \(front) moved to the front of the forward queue"
                                             + (r.position.map { " (position \($0))" } ?? "")], json: jsonObject(r))
        }
        let q = try call(client, "queue", as: QueueResult.self)
        var out = Output()
        out.json = jsonObject(q)
        guard let store = q.store else { out.exit = .nothingToDo; out.lines = ["this gateway forwards nothing"]; return out }
        out.lines = ["store s3://\(store.bucket)/\(store.prefix) at \(store.endpoint)"
                     + (q.forwarding ? "" : "  (NOT forwarding: the store could not be checked at start)")]
        out.lines.append("rate limit " + (store.rateLimit.map { ForwardRate.text($0) + ", all uploads together" } ?? "none"))
        if let hours = store.hours {
            out.lines.append("hours \(hours) (local time): " + (store.resumes.map { "closed now, nothing is uploaded; forwarding resumes at \($0)" } ?? "open now"))
        } else {
            out.lines.append("hours always")
        }
        out.lines.append("  # BAG                                    OBJECTS VERIFIED PENDING FAILED  ORDER           LAST ERROR")
        for b in q.bags {
            let place = b.position.map(String.init) ?? "-"
            out.lines.append(String(repeating: " ", count: max(0, 3 - place.count)) + place + " " + pad(b.bag, 38) + " "
                             + String(format: "%7d %8d %7d %6d  ", b.objects, b.verified, b.pending, b.failed)
                             + pad(orderText(b.order), 15) + " " + text(b.lastError))
            if b.failed > 0 { out.exit = .failure }
        }
        return out
    })

/// A bag's reason for its place, as the queue's ORDER column says it.
func orderText(_ order: String?) -> String {
    switch order {
    case nil: "forwarded"
    case "moved-to-front": "moved to front"
    case "important": "important"
    case "age": "oldest first"
    case let other?: other
    }
}

let pruneCommand = Command(
    name: "prune",
    synopsis: "prune --dry-run | --now               local retention: which bags leave the local store",
    help: """
    usage: recorderctl prune --dry-run [--control-socket PATH] [--json]
           recorderctl prune --now [--control-socket PATH] [--json]

    --dry-run: one row per local bag, whether prune-after-days lets it go (every object verified
    in the evidence store, long enough ago) or why it stays. --now: the service prunes what the
    plan allows at once, each bag's remote copy checked again first (it also does so every hour).
    A pruned bag is named in the audit log with its remote copy; the audit log is never pruned.
    Exit 2 when no bag would be pruned.
    """,
    run: { args in
        let dryRun = args.flag("--dry-run"), now = args.flag("--now")
        guard dryRun != now else { throw UsageError(description: "prune takes --dry-run or --now") }
        let client = try connect(&args)
        _ = try args.positionals(min: 0, max: 0)
        let r = try call(client, "prune", ["dryRun": dryRun ? "true" : "false"], as: RetentionResult.self)
        var out = Output()
        out.json = jsonObject(r)
        out.lines = ["prune-after-days " + (r.pruneAfterDays.map(String.init) ?? "keep") + (r.dryRun ? " (dry run: nothing removed)" : "")]
        out.lines += r.bags.map { pad($0.action.uppercased(), 7) + " " + $0.bag + "  " + $0.detail }
        if !r.bags.contains(where: { $0.action != "keep" }) { out.exit = .nothingToDo }
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
        let r = try call(client, "retry", ["target": bag], as: RetryResult.self)
        return Output(exit: .ok, lines: ["\(r.requeued) object(s) of \(bag) queued again"], json: jsonObject(r))
    })

let refusalsCommand = Command(
    name: "refusals",
    synopsis: "refusals [--clear RECORDER]          vendor recorders that refused the password",
    help: """
    usage: recorderctl refusals [--clear RECORDER] [--control-socket PATH] [--json]

    Lists the vendor recorders (amba-ctrl, amba-ascii) that refused the kiosk's password: the
    gateway does not send it to them again (a recorder may lock or wipe itself after a few wrong
    ones), and their docks end `password-withheld`. Once the recorder's password is known to be
    the configured one again (vendor-password-file), `--clear RECORDER` lets its next dock send
    it, once. RECORDER is the name the list shows (the recorder's USB serial). Exit 3 when there
    is no refusal to clear for it.
    """,
    run: { args in
        let clear = try args.option("--clear")
        let client = try connect(&args)
        _ = try args.positionals(min: 0, max: 0)
        let r = try call(client, "refusals", clear.map { ["clear": $0] } ?? [:], as: RefusalsResult.self)
        var lines: [String] = []
        if let c = r.cleared { lines.append("cleared: \(c.recorder) (\(c.family), refused \(c.refusedUTC) in \(c.bay)); its next dock sends the password once") }
        lines += r.refusals.map { "\($0.recorder)  \($0.family)  refused \($0.refusedUTC) in \($0.bay)" }
        if r.refusals.isEmpty && r.cleared == nil { lines.append("no recorder has refused the password") }
        return Output(exit: .ok, lines: lines, json: jsonObject(r))
    })

let captureCommand = Command(
    name: "capture",
    synopsis: "capture BAY --out FILE               record the next dock in BAY for a bug report",
    help: """
    usage: recorderctl capture BAY --out FILE [--control-socket PATH] [--json]

    Asks the service to record every USB transfer of the next dock in BAY into FILE, an
    emulation file (Docs/simulator.md, "Captures"). Attach it to a bug report:
    `recorder-gatewayd --replay FILE` plays the recorder back exactly, so a field problem
    becomes a test case (recorder-sim cannot play captures back). The file holds the recorder's data (footage included):
    treat it as evidence. A vendor recorder's dock (amba-ctrl, amba-ascii) is recorded as its
    unlock's transfers and the mass-storage read (data phases whole), the password as
    <password> (Docs/operations.md, "Capturing a vendor recorder's dock"); --replay plays it
    back too, given the same vendor-password-file.
    """,
    run: { args in
        guard let out = try args.option("--out") else { throw UsageError(description: "--out FILE is required") }
        let client = try connect(&args)
        let bay = try args.positionals(min: 1, max: 1)[0]
        let path = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        let r = try call(client, "capture", ["target": bay, "path": path], as: CaptureResult.self)
        return Output(exit: .ok, lines: ["the next dock in bay \(bay) will be recorded to \(path)"], json: jsonObject(r))
    })
