import Control
import Foundation
import Settings

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
            let bays = try call(client, "devices", as: DevicesResult.self).bays
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
func watchScreen(_ bays: [BayStatus]) -> [String] {
    var lines = ["recorder-gateway  " + ISO8601DateFormatter().string(from: Date()) + "  \(bays.count) bay(s)"]
    if bays.isEmpty { lines.append("  no recorder docked") }
    for b in bays {
        // The service sends 0...100; anything else is clamped before it is multiplied.
        let percent = max(0, min(100, b.percent))
        let width = 16
        let filled = percent * width / 100
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        let mbps = b.mbps
        let done = Double(b.bytesDone), total = Double(b.bytesTotal)
        let state = b.state
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
        lines.append(pad(b.bay, 7) + " " + pad(text(b.serial), 7) + " " + pad(text(b.officer), 6) + " " + bar
                     + String(format: " %3d%% %5.1f MB/s ", percent, mbps) + eta + " " + colour + pad(state, 12) + "\u{1B}[0m")
    }
    return lines
}
