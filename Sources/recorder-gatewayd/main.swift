// recorder-gatewayd: the gateway service. Thin: arguments, wiring, and what the operator sees.
import Control
import Foundation
import Ingest
import ProtocolV1Family
import RecorderFamilies
import RecorderHAL
import RecorderSimulator

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
  --capture-dir DIR      record every dock's USB transfers to DIR/<bay>-<time>.capture
  --replay FILE          (repeatable) dock a recorder played back from a capture file
  --repeat N             with --simulate: dock the scenario's recorders N times in turn, each
                         time back from another shift with new recordings (Tools/soak)
  --control-socket PATH  where recorderctl reaches the service (default
                         /run/recorder-gateway/control.sock; "none" for no socket)

Exit status: 0 ok, 1 some recording not verified, 64 usage error, 65 invalid scenario,
78 configuration error, 74 the store, journal or key could not be opened.
"""

func die(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data("recorder-gatewayd: \(message)\n".utf8))
    exit(code)
}

struct Arguments {
    var simulate = false
    var scenario: String?
    var store: String?
    var state: String?
    var config: String?
    var once = false
    var json = false
    var idleExit: Duration?
    var controlSocket = "/run/recorder-gateway/control.sock"
    var forward: String?
    var captureDir: String?
    var replays: [String] = []
    var repeatCount = 1
    var s3Endpoint: String?
    var s3Region: String?
}

func parseArguments(_ argv: [String]) -> Arguments {
    var a = Arguments()
    var i = 0
    func value(_ flag: String) -> String {
        i += 1
        guard i < argv.count, !argv[i].hasPrefix("--") else { die("\(flag) needs a value (see --help)", 64) }
        return argv[i]
    }
    while i < argv.count {
        switch argv[i] {
        case "--help", "-h": print(usage); exit(0)
        case "--simulate":
            a.simulate = true
            if i + 1 < argv.count, !argv[i + 1].hasPrefix("--") { i += 1; a.scenario = argv[i] }
        case "--store": a.store = value("--store")
        case "--state": a.state = value("--state")
        case "--config": a.config = value("--config")
        case "--once": a.once = true
        case "--json": a.json = true
        case "--control-socket": a.controlSocket = value("--control-socket")
        case "--forward": a.forward = value("--forward")
        case "--capture-dir": a.captureDir = value("--capture-dir")
        case "--replay": a.replays.append(value("--replay")); a.simulate = true
        case "--repeat":
            let text = value("--repeat")
            guard let n = Int(text), (1...10_000_000).contains(n) else { die("--repeat needs a whole number of times from 1 to 10000000, not \(text)", 64) }
            a.repeatCount = n
        case "--s3-endpoint": a.s3Endpoint = value("--s3-endpoint")
        case "--s3-region": a.s3Region = value("--s3-region")
        case "--idle-exit":
            let text = value("--idle-exit")
            guard let idle = SecondsValue.parse(text, in: 0.001...86400) else {
                die("--idle-exit needs a number of seconds within 0.001...86400, not \"\(text)\"", 64)
            }
            a.idleExit = idle
        default: die("unknown argument \(argv[i]) (see --help)", 64)
        }
        i += 1
    }
    return a
}

let args = parseArguments(Array(CommandLine.arguments.dropFirst()))

var config = GatewayConfig()
if let path = args.config {
    do { config = try GatewayConfig(contentsOf: path) } catch { die("configuration: \(error)", 78) }
}
if let store = args.store { config.store = store }
if let forward = args.forward {
    guard let (bucket, prefix) = ForwardSettings.parse(url: forward) else { die("--forward \(forward) is not s3://BUCKET/PREFIX", 64) }
    var f = config.forward ?? ForwardSettings(bucket: bucket, prefix: prefix, endpoint: "")
    f.bucket = bucket
    f.prefix = prefix
    config.forward = f
}
if let endpoint = args.s3Endpoint { config.forward?.endpoint = endpoint }
if let region = args.s3Region { config.forward?.region = region }
if config.forward != nil {
    do { config = try config.validated(file: args.config ?? "command line") } catch { die("configuration: \(error)", 78) }
}
guard args.store != nil || args.config != nil else { die("--store DIR is required (or a config file with store =)", 64) }
if let state = args.state {
    config.state = state
} else if args.config == nil {
    config.state = ((config.store as NSString).deletingLastPathComponent as NSString).appendingPathComponent("state")
}

var scenario = Scenario(recorders: [])
if args.simulate && !(args.scenario == nil && !args.replays.isEmpty) {
    do {
        scenario = try args.scenario.map { try Scenario(contentsOf: $0) } ?? Scenario(json: Data(ExampleScenario.json.utf8))
    } catch {
        die("invalid scenario: \(error)", 65)
    }
    // The simulator knows its recorders' passwords; the configuration, when it names one, wins.
    for r in scenario.recorders where config.passwords[r.identity.serial] == nil {
        config.passwords[r.identity.serial] = r.password
    }
}

let database: DeviceDatabase
do { database = try DeviceDatabase.load(registry: .builtIn) } catch { die("\(error)", 78) }

let progress = ProgressBoard()
let gateway: Gateway
do {
    // A simulated recorder computes its replies on the gateway's own cores, so a busy host
    // delays the device too; its silences are the scenario's `stall` faults, not the host's
    // load. Real recorders keep the driver's timeout.
    var options = DriverOptions()
    if args.simulate { options.requestTimeout = .seconds(30) }
    gateway = try Gateway(config: config, progress: progress, driverOptions: options)
} catch {
    die("\(error)", 74)
}
let display = ProgressDisplay(board: progress, json: args.json)

let capturer = LinkCapturer(directory: args.captureDir)
func captured(_ link: any RecorderLink, port: String) -> any RecorderLink { capturer.wrap(link, port: port) }
var forwarding = gateway.context.forwarder != nil
do {
    try await gateway.startForwarding()
} catch {
    forwarding = false
    FileHandle.standardError.write(Data("recorder-gatewayd: \(error); bags stay in the local store and nothing is released\n".utf8))
}
var controlServer: ControlServer?
if args.controlSocket != "none" {
    do {
        controlServer = try ControlServer(path: args.controlSocket, group: "recorder-gateway",
                                          handler: controlHandler(gateway: gateway, progress: progress))
    } catch {
        FileHandle.standardError.write(Data("recorder-gatewayd: no control socket (\(error)); recorderctl cannot reach this service\n".utf8))
    }
}
if !args.simulate {
    let idle: Duration? = args.idleExit ?? (args.once ? .seconds(3) : nil)
    let status = await runDevices(gateway: gateway, database: database, display: display, json: args.json, idleExit: idle,
                                  capture: { [capturer] in capturer.wrap($0, port: $1) })
    controlServer?.stop()
    exit(status)
}
let started = ContinuousClock.now
let recovered = await gateway.announceStart(mode: "simulate")
for bag in recovered { log("bag \(bag) was sealed before the gateway stopped; the audit log names it now") }
if gateway.createdKey {
    FileHandle.standardError.write(Data("recorder-gatewayd: created the gateway key \(config.resolvedKeyPath) and \(config.store)/gateway.pub\n".utf8))
}
display.start()
for shift in 0..<args.repeatCount {
    // Each shift after the first brings the recorders back with new footage (a soak).
    if shift > 0 { _ = await gateway.waitUntilIdle() }
    for (index, original) in scenario.recorders.enumerated() {
        let r = original.shift(shift)
        let device = await SimulatedRecorder.dock(r)
        let port = r.port ?? "sim-\(index + 1)"
        guard let model = database.model(vendorId: r.vendorId, productId: r.productId, interfaceClass: 0xFF),
              let driver = DriverRegistry.builtIn.driver(named: model.driver) else {
            FileHandle.standardError.write(Data("recorder-gatewayd: bay \(port): USB device \(String(format: "%04x:%04x", r.vendorId, r.productId)) is not in the device database; ignored\n".utf8))
            continue
        }
        await gateway.dock(link: captured(device.bus.hostEnd, port: port), driver: driver, port: port)
    }
}
for (index, path) in args.replays.enumerated() {
    let port = "replay-\(index + 1)"
    do {
        let device = try await ReplayDevice.dock(capture: path, name: port)
        await gateway.dock(link: captured(device.bus.hostEnd, port: port), driver: ZFYBulkDriver(), port: port)
    } catch {
        FileHandle.standardError.write(Data("recorder-gatewayd: cannot replay \(error)\n".utf8))
    }
}
let outcomes = await gateway.waitUntilIdle()
var forwardedAll = true
if let forwarder = gateway.context.forwarder, args.once {
    // --once: the queue must drain too (within forward-wait), or the run did not finish its job.
    forwardedAll = forwarding ? await forwarder.drain(timeout: forwarder.settings.wait) : false
    if !forwardedAll {
        FileHandle.standardError.write(Data("recorder-gatewayd: the forward queue did not drain: \(await forwarder.lastProblem ?? "no detail")\n".utf8))
    }
}
display.stop()
let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
let journal = gateway.journal
printSummary(outcomes, seconds: seconds, json: args.json, recovered: recovered,
             forwarded: gateway.context.forwarder == nil ? nil : { (try? journal.isForwarded(bag: $0)) == true })
let notVerified = await gateway.docksNotAllVerified
let ok = !outcomes.isEmpty && notVerified == 0 && forwardedAll
if args.once {
    controlServer?.stop()
    exit(ok ? 0 : 1)
}
// As a service, stay up until told to stop.
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let stop = DispatchSemaphore(value: 0)
let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
    let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
    s.setEventHandler { stop.signal() }
    s.resume()
    return s
}
FileHandle.standardError.write(Data("recorder-gatewayd: all docks done; waiting (Ctrl-C to stop)\n".utf8))
stop.wait()
_ = sources
controlServer?.stop()
exit(ok ? 0 : 1)
