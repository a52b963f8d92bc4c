import Foundation
import Settings

let usage = """
usage: recorder-gatewayd [--config FILE] [--store DIR] [--state DIR] [--once | --idle-exit SECONDS] [--json]
       recorder-gatewayd --simulate [SCENARIO] --store DIR [--state DIR] [--config FILE] [--once] [--json]
                         [--repeat N]

Without --simulate the gateway watches udev for the recorder models of its device database,
docks each one (present at start or plugged in later) through libusb, and runs until stopped.

  --simulate [SCENARIO]  dock the scenario's simulated recorders (the built-in four-recorder
                         demo when SCENARIO is omitted), each in the bay of its port
  --store DIR            the local evidence store (bags/, audit/); overrides the config
  --state DIR            the journal and gateway key (default: DIR/../state beside the store)
  --config FILE          configuration file (Docs/configuration.md)
  --once                 exit when every recorder is done: 0 if every file verified, 1 if not
                         (with USB devices: once no dock has run for 3 seconds)
  --idle-exit SECONDS    with USB devices: exit once no dock has run for SECONDS (0.001...86400)
  --json                 print the summary as JSON instead of a table
  --forward s3://BUCKET/PREFIX   also forward sealed bags to an S3 evidence store (with
  --s3-endpoint URL [--s3-region R])   Object Lock; Docs/configuration.md has every setting)
  --verify-source always|before-release   when files of a recorder without its own hashes
                         are read a second time before sealing (overrides verify-source)
  --capture-dir DIR      record every dock's USB transfers to DIR/<bay>-<time>.capture
  --replay FILE          (repeatable) dock a recorder played back from a capture file
  --repeat N             with --simulate: dock the scenario's recorders N times in turn, each
                         time back from another shift with new recordings (Tools/soak)
  --devices-out-of-process  with --simulate SCENARIO: run each recorder as `recorder-sim serve`
                         in a process of its own (the link model applied there), so the
                         gateway's CPU time is its own (Tools/bench; Docs/simulator.md)
  --device-command PATH  the recorder-sim to run (default: beside recorder-gatewayd)
  --control-socket PATH  where recorderctl reaches the service (default
                         /run/recorder-gateway/control.sock; "none" for no socket)
  --status-listen ADDRESS:PORT   the officer's screen (/) and metrics (/metrics), read-only
                         (default 127.0.0.1:8470; with --simulate none; "none" for no page;
                         port 0: any free one, said on standard error)

Options may come in any order; given twice, the last one counts. The command line wins over
the configuration file, which wins over the defaults (Docs/configuration.md, "Precedence").

Exit status: 0 ok, 1 some recording not verified, 64 usage error, 65 invalid scenario,
78 configuration error, 74 the store, journal or key could not be opened.
"""

/// The service's command line: options in any order (Docs/configuration.md, "Command line").
struct ServiceArguments {
    var simulate = false
    var scenario: String?
    /// `--config`, `--store`, `--state`, `--forward`, `--s3-endpoint`, `--s3-region`: for the resolver.
    var settings = CommandLineSettings()
    var once = false
    var json = false
    var idleExit: Duration?
    var controlSocket = "/run/recorder-gateway/control.sock"
    /// `--status-listen`; nil: the configuration's, else the default.
    var statusListen: StatusListen?
    var captureDir: String?
    var replays: [String] = []
    var repeatCount = 1
    var devicesOutOfProcess = false
    var deviceCommand: String?
}

/// Parses the command line, or exits 64 naming what is wrong (0 after printing --help).
func parseArguments(_ argv: [String]) -> ServiceArguments {
    var arguments = Arguments(argv)
    if arguments.flag("--help") || arguments.flag("-h") { print(usage); exit(0) }
    var a = ServiceArguments()
    do throws(UsageError) {
        if let simulate = arguments.optionalValue("--simulate") {
            a.simulate = true
            a.scenario = simulate
        }
        a.settings = try CommandLineSettings(taking: &arguments)
        a.once = arguments.flag("--once")
        a.json = arguments.flag("--json")
        a.controlSocket = try arguments.option("--control-socket") ?? a.controlSocket
        if let text = try arguments.option("--status-listen") {
            guard let listen = StatusListen(text) else {
                die("--status-listen \(text) is not ADDRESS:PORT (a numeric IPv4 address, [IPv6] or localhost, and a port 0...65535) or none", 64)
            }
            a.statusListen = listen
        }
        a.captureDir = try arguments.option("--capture-dir")
        a.replays = try arguments.options("--replay")
        if !a.replays.isEmpty { a.simulate = true }
        if let text = try arguments.option("--repeat") {
            guard let n = Int(text), (1...10_000_000).contains(n) else { die("--repeat needs a whole number of times from 1 to 10000000, not \(text)", 64) }
            a.repeatCount = n
        }
        a.devicesOutOfProcess = arguments.flag("--devices-out-of-process")
        a.deviceCommand = try arguments.option("--device-command")
        if let text = try arguments.option("--idle-exit") {
            guard let idle = SecondsValue.parse(text, in: 0.001...86400) else {
                die("--idle-exit needs a number of seconds within 0.001...86400, not \"\(text)\"", 64)
            }
            a.idleExit = idle
        }
    } catch {
        die("\(error) (see --help)", 64)
    }
    if let unknown = arguments.rest.first { die("unknown argument \(unknown) (see --help)", 64) }
    // The device processes read the scenario file and know no shifts.
    if a.devicesOutOfProcess && (a.scenario == nil || a.repeatCount > 1 || !a.replays.isEmpty) {
        die("--devices-out-of-process needs --simulate SCENARIO, without --repeat or --replay", 64)
    }
    return a
}
