// recorder-gatewayd: the gateway service. Thin: arguments, wiring, and what the operator sees.
import Control
import Dock
import EvidenceStore
import Foundation
import ProtocolV1Family
import RecorderFamilies
import RecorderHAL
import RecorderSimulator
import Settings

// Before any other thread allocates: glibc's arenas, one per allocating thread by default,
// each keep a pull's freed chunks; one arena shares them (MallocArenas).
MallocArenas.limit(to: MallocArenas.gatewayLimit)

func die(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data("recorder-gatewayd: \(message)\n".utf8))
    exit(code)
}

let args = parseArguments(Array(CommandLine.arguments.dropFirst()))

var config: GatewayConfig
do {
    config = try SettingsResolver.resolve(args.settings, requireStore: true)
} catch {
    switch error {
    case .usage(let e): die("\(e)", 64)
    case .configuration(let e): die("configuration: \(e)", 78)
    }
}

var scenario = Scenario(recorders: [])
if args.simulate && !(args.scenario == nil && !args.replays.isEmpty) {
    do {
        scenario = try args.scenario.map { try Scenario(contentsOf: $0) } ?? Scenario(json: Data(ExampleScenario.json.utf8))
    } catch {
        die("invalid scenario: \(error)", 65)
    }
    // The simulator knows its recorders' passwords; the configuration, when it names one, wins.
    for r in scenario.recorders where config.passwords[r.identity.serial] == nil && r.vendor == nil {
        config.passwords[r.identity.serial] = r.password
    }
}
// Vendor recorders: the families' password (never printed), the wait for the return, who
// each recorder is issued to. A file that is wrong stops the service: a kiosk that cannot
// unlock its recorders must say so at start, not at the first dock.
var vendorSettings = VendorDockSettings(returnWait: config.vendor.returnWait,
                                        zoneOffsetMinutes: Int16(TimeZone.current.secondsFromGMT() / 60))
do {
    if let path = config.vendor.passwordFile { vendorSettings.password = UnlockSecret(try VendorPasswordFile.read(path)) }
    if let path = config.vendor.assignmentsFile { vendorSettings.assignments = try AssignmentTable.read(path) }
} catch {
    die("configuration: \(error)", 78)
}
if args.simulate {
    for (index, r) in scenario.recorders.enumerated() where r.vendor != nil {
        // Under the name the dance gives it: its USB serial, else its bay (`usbSerial`).
        let key = r.vendor?.usbSerial == .both ? r.identity.serial : "bay-\(r.port ?? "sim-\(index + 1)")"
        vendorSettings.passwordsByRecorder[key] = UnlockSecret(r.password)
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
    gateway = try Gateway(config: config, progress: progress, driverOptions: options, vendor: vendorSettings)
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
// The officer's screen: on by default for the service, off for --simulate unless asked for.
let statusListen = args.statusListen ?? config.statusListen ?? (args.simulate ? .off : .serviceDefault)
let statusServer = StatusService.start(statusListen, gateway: gateway, progress: progress, config: config)
// The store's fill is checked at every dock, scrape and screen update; this also notices a
// store that fills while nothing docks, and says so in the journal when its level changes.
let capacityWatch = Task.detached { [capacity = gateway.context.capacity] in
    while !Task.isCancelled {
        _ = capacity.check()
        try? await Task.sleep(for: .seconds(60))
    }
}
// Local retention: bags safe in the evidence store leave the local disk (prune-after-days);
// checked at start and every hour (and once more after --once has drained the queue).
let pruning = gateway.context.forwarder?.settings.pruneAfterDays == nil ? nil : Task.detached { [context = gateway.context] in
    while !Task.isCancelled {
        _ = await BagPruner(context: context).run()
        try? await Task.sleep(for: .seconds(3600))
    }
}
/// Ends the periodic retention task: a pass under way finishes first (its removals are not
/// left half done by the exit that follows), the sleep after it is cut short.
func finishPruning(_ task: Task<Void, Never>?) async {
    task?.cancel()
    await task?.value
}
/// What `--once` found of the forward queue at its end.
struct QueueAtExit {
    /// Every queued bag was forwarded (or there is no forwarding).
    var drained = true
    /// Not drained because forward-hours keeps the queue back now (exit 75, not 1).
    var outsideHours = false
}

/// --once with forwarding: the queue must drain too (within forward-wait), or the run did not
/// finish its job. Outside forward-hours nothing will be uploaded before the window opens: no
/// waiting. Says on standard error why it did not drain, and runs the last retention pass.
@MainActor func drainForwardQueue() async -> QueueAtExit {
    guard let forwarder = gateway.context.forwarder else { return QueueAtExit() }
    var result = QueueAtExit()
    if forwarding, forwarder.resumes() == nil {
        result.drained = await forwarder.drain(timeout: forwarder.settings.wait)
    } else {
        result.drained = forwarding && ((try? gateway.journal.forwardObjects(unfinishedOnly: true)) ?? []).isEmpty
    }
    if !result.drained, forwarding, let resumes = forwarder.resumes() {
        result.outsideHours = true
        let bags = Set(((try? gateway.journal.forwardObjects(unfinishedOnly: true)) ?? []).map(\.bagName)).count
        FileHandle.standardError.write(Data("recorder-gatewayd: outside forward-hours \(forwarder.settings.hours?.description ?? "-"): \(bags) bag(s) stay queued, not uploaded; forwarding resumes at \(resumes) (exit 75)\n".utf8))
    } else if !result.drained {
        FileHandle.standardError.write(Data("recorder-gatewayd: the forward queue did not drain: \(await forwarder.lastProblem ?? "no detail")\n".utf8))
    }
    if forwarder.settings.pruneAfterDays != nil {
        // The periodic pass first ends (a pass it is in finishes), then the last one runs,
        // so the process never exits in the middle of removing a bag.
        await finishPruning(pruning)
        _ = await BagPruner(context: gateway.context).run()
    }
    return result
}

if !args.simulate {
    let idle: Duration? = args.idleExit ?? (args.once ? .seconds(3) : nil)
    var status = await runDevices(gateway: gateway, database: database, display: display, json: args.json, idleExit: idle,
                                  capturing: args.captureDir != nil, capture: { [capturer] in capturer.wrap($0, port: $1) },
                                  capturePath: { [capturer] in capturer.path(port: $0) })
    // --once forwards what is queued before it ends, bags sealed before this start included
    // (a kiosk restarted on a store whose bags have not left yet).
    if args.once {
        let queue = await drainForwardQueue()
        if status == 0, !queue.drained { status = queue.outsideHours ? 75 : 1 }
    }
    await finishPruning(pruning)
    controlServer?.stop()
    statusServer?.stop()
    exit(status)
}
let started = ContinuousClock.now
let recovered = await gateway.announceStart(mode: "simulate")
for bag in recovered { log("bag \(bag) was sealed before the gateway stopped; the audit log names it now") }
if gateway.createdKey {
    FileHandle.standardError.write(Data("recorder-gatewayd: created the gateway key \(config.resolvedKeyPath) and \(config.store)/gateway.pub\n".utf8))
}
display.start()
// Simulated mass-storage devices, reported once their docks are over.
var disks: [(port: String, disk: SimulatedMassStorage)] = []
var vendorDevices: [(port: String, device: SimulatedVendorRecorder)] = []
let outOfProcess = args.devicesOutOfProcess ? OutOfProcessDevices(command: args.deviceCommand, scenarioPath: args.scenario ?? "") : nil
for shift in 0..<args.repeatCount {
    // Each shift after the first brings the recorders back with new footage (a soak).
    if shift > 0 { _ = await gateway.waitUntilIdle() }
    let docking = SimulatedDock(gateway: gateway, database: database, capturer: capturer)
    for (index, original) in scenario.recorders.enumerated() {
        let r = original.shift(shift)
        let port = r.port ?? "sim-\(index + 1)"
        if r.vendor != nil {
            // A vendor recorder docks in this process: its dance needs the device's re-appearance.
            if let device = await docking.dockVendor(r, port: port) { vendorDevices.append((port, device)) }
            continue
        }
        if let outOfProcess {
            await outOfProcess.dock(r, port: port, gateway: gateway, database: database, capturer: capturer)
            continue
        }
        if let disk = await docking.dock(r, port: port) { disks.append((port, disk)) }
    }
}
for (index, path) in args.replays.enumerated() {
    let port = "replay-\(index + 1)"
    if VendorReplay.isVendorCapture(path) {
        // A vendor dock's capture: the dance runs against it as against a simulated recorder.
        _ = await SimulatedDock(gateway: gateway, database: database, capturer: capturer).dockVendorReplay(capture: path, port: port)
        continue
    }
    do {
        let device = try await ReplayDevice.dock(capture: path, name: port)
        await gateway.dock(link: .stream(captured(device.bus.hostEnd, port: port)), driver: ZFYBulkDriver(), port: port)
    } catch {
        FileHandle.standardError.write(Data("recorder-gatewayd: cannot replay \(error)\n".utf8))
    }
}
let outcomes = await gateway.waitUntilIdle()
for (port, disk) in disks { log(SimulatedDock.report(disk, port: port)) }
for (port, device) in vendorDevices { log(SimulatedDock.report(device, port: port)) }
/// --once ended outside forward-hours with bags still queued: exit 75 (EX_TEMPFAIL, "try again
/// later"), not 1, so that a script tells "not now" from a failure (Docs/operations.md).
let queue = args.once ? await drainForwardQueue() : QueueAtExit()
let forwardedAll = queue.drained, outsideHours = queue.outsideHours
display.stop()
let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
let journal = gateway.journal
printSummary(outcomes, seconds: seconds, json: args.json, recovered: recovered,
             forwarded: gateway.context.forwarder == nil ? nil : { (try? journal.isForwarded(bag: $0)) == true })
let notVerified = await gateway.docksNotAllVerified
let ok = !outcomes.isEmpty && notVerified == 0 && forwardedAll
if args.once {
    await finishPruning(pruning)
    controlServer?.stop()
    statusServer?.stop()
    // Every dock done and verified, only the window keeping the bags back: 75.
    exit(ok ? 0 : outsideHours && !outcomes.isEmpty && notVerified == 0 ? 75 : 1)
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
await finishPruning(pruning)
controlServer?.stop()
statusServer?.stop()
exit(ok ? 0 : 1)
