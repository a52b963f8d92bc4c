import Control
import Dock
import EvidenceStore
import Foundation

/// What the operator sees while docks run: on a terminal, one row per bay with a progress
/// bar, redrawn in place; otherwise one plain line whenever a bay changes phase.
final class ProgressDisplay: @unchecked Sendable {
    private let board: ProgressBoard
    private let tty: Bool
    private let quiet: Bool
    private var task: Task<Void, Never>?
    private var lastPhases: [String: ProgressBoard.Phase] = [:]
    private var drawnRows = 0

    init(board: ProgressBoard, json: Bool) {
        self.board = board
        self.tty = isatty(STDOUT_FILENO) == 1 && !json
        self.quiet = json
    }

    func start() {
        guard !quiet else { return }
        task = Task { [self] in
            while !Task.isCancelled {
                render()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func stop() {
        task?.cancel()
        task = nil
        if !quiet { render() }
    }

    private func render() {
        let bays = board.snapshot()
        if tty {
            var out = drawnRows > 0 ? "\u{1B}[\(drawnRows)A" : ""
            for b in bays { out += "\u{1B}[2K" + row(b) + "\n" }
            drawnRows = bays.count
            FileHandle.standardOutput.write(Data(out.utf8))
        } else {
            for b in bays where lastPhases[b.bay] != b.phase {
                lastPhases[b.bay] = b.phase
                var line = "\(b.bay) \(b.serial ?? "-") \(b.phase.rawValue)"
                if !b.note.isEmpty { line += ": \(b.note)" }
                print(line)
            }
        }
    }

    /// "1-1.1   A100001 010001 ingesting  [##########..........]  50%  38.2 MB/s  ETA 0:03"
    private func row(_ b: ProgressBoard.Bay) -> String {
        let elapsed = max((b.ended ?? Date()).timeIntervalSince(b.started), 0.001)
        let fraction = b.bytesTotal > 0 ? min(1, Double(b.bytesDone) / Double(b.bytesTotal)) : (b.phase == .done ? 1 : 0)
        let width = 20
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        let rate = Double(b.bytesDone) / elapsed / 1e6
        var eta = ""
        if b.phase == .ingesting, b.bytesTotal > b.bytesDone {
            eta = ETAText.text(remainingBytes: Double(b.bytesTotal - b.bytesDone), bytesPerSecond: rate * 1e6) ?? ""
        }
        let colour: String = switch b.phase {
        case .done: "\u{1B}[32m"
        case .error, .refused: "\u{1B}[31m"
        case .interrupted: "\u{1B}[33m"
        default: "\u{1B}[36m"
        }
        let text = pad(b.bay, 7) + " " + pad(b.serial ?? "-", 7) + " " + pad(b.officer ?? "", 6) + " "
            + colour + pad(b.phase.rawValue, 12) + "\u{1B}[0m " + bar
            + String(format: " %3d%% %6.1f MB/s ", Int(fraction * 100), rate) + eta
        return text
    }
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count)
}

/// `forwarded`: whether a bag is verified in the remote store; nil when there is none.
/// `recovered`: bags sealed before a stop that this start named in the audit log.
func printSummary(_ outcomes: [DockOutcome], seconds: Double, json: Bool, recovered: [String] = [],
                  forwarded: ((String) -> Bool)? = nil) {
    let bytes = outcomes.reduce(UInt64(0)) { $0 + $1.bytes }
    let sorted = outcomes.sorted { $0.bay < $1.bay }
    if json {
        let list: [[String: Any]] = sorted.map { o in
            var result = "completed"
            var reason: String?
            switch o.result {
            case .completed: break
            case .interrupted(let why): result = "interrupted"; reason = why
            case .failed(let why): result = "failed"; reason = why
            }
            var d: [String: Any] = [
                "bay": o.bay, "serial": o.serial ?? NSNull(), "officerNumber": o.officerNumber ?? NSNull(),
                "result": result, "bag": o.bagPath ?? NSNull(), "bags": o.bags, "files": o.files, "listed": o.listed,
                "alreadyIngested": o.alreadyIngested, "verified": o.verified, "quarantined": o.quarantined,
                "incomplete": o.incomplete, "recoveredBags": o.recoveredBags,
                "released": o.released, "bytes": o.bytes, "seconds": o.seconds,
                "clockOffsetMs": o.clockOffsetMilliseconds ?? NSNull(),
                "anomalies": o.anomalies.map { a -> [String: Any] in
                    ["code": a.code, "recordingId": a.recordingId.map { Int($0) as Any } ?? NSNull(), "detail": a.detail]
                },
            ]
            if let reason { d["reason"] = reason }
            // A vendor recorder's dance: how it ended (StorageDanceOutcome.code) and in words.
            if let dance = o.dance { d["dance"] = ["outcome": dance.code, "detail": dance.description] }
            // Forwarded: every bag of the dock is verified in the remote store.
            if let forwarded, !o.bags.isEmpty { d["forwarded"] = o.bags.allSatisfy { forwarded(($0 as NSString).lastPathComponent) } }
            return d
        }
        let summary: [String: Any] = [
            "recorders": list,
            "totals": ["recorders": outcomes.count, "files": outcomes.reduce(0) { $0 + $1.files },
                       "verified": outcomes.reduce(0) { $0 + $1.verified }, "bytes": bytes,
                       "allVerified": !outcomes.isEmpty && outcomes.allSatisfy(\.allVerified)],
            "seconds": seconds, "mbps": Double(bytes) / 1e6 / max(seconds, 1e-9),
            "recoveredBags": recovered + outcomes.flatMap(\.recoveredBags),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        FileHandle.standardOutput.write(data + Data("\n".utf8))
        return
    }
    print("")
    print("BAY     SERIAL  OFFICER RESULT       FILES VERIFIED QUAR INC REL      MB   CLOCK  BAG")
    for o in sorted {
        let result: String = switch o.result {
        case .completed: o.allVerified ? "verified" : "completed"
        case .interrupted: "interrupted"
        case .failed: "FAILED"
        }
        // Every bag of the dock: one per volume of a medium with several.
        let names: [String] = o.bags.map { ($0 as NSString).lastPathComponent }
        let bagNames: String = names.isEmpty ? "-" : names.joined(separator: " ")
        let clock = o.clockOffsetMilliseconds.map { abs($0) < 50 ? "+0.0s" : String(format: "%+.1fs", $0 / 1000) } ?? "-"
        print(pad(o.bay, 7) + " " + pad(o.serial ?? "-", 7) + " " + pad(o.officerNumber ?? "-", 7) + " " + pad(result, 12)
              + String(format: " %5d %8d %4d %3d %3d %7.1f ", o.files, o.verified, o.quarantined, o.incomplete, o.released,
                              Double(o.bytes) / 1e6)
              + pad(clock, 6) + " " + bagNames)
        for a in o.anomalies { print("        ! \(a)") }
        if case .failed(let why) = o.result { print("        ! \(why)") }
        if case .interrupted(let why) = o.result { print("        ! \(why)") }
    }
    print(String(format: "%d recorders, %.1f MB in %.2f s (%.1f MB/s)", outcomes.count, Double(bytes) / 1e6, seconds,
                 Double(bytes) / 1e6 / max(seconds, 1e-9)))
}
