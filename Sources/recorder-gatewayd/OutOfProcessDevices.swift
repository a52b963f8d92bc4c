import Dock
import Foundation
import RecorderFamilies
import RecorderHAL
import RecorderSimulator

/// `--devices-out-of-process`: each simulated recorder runs as `recorder-sim serve` in a
/// process of its own, with the scenario's link model applied there, so the gateway's CPU
/// time is the gateway's alone (Tools/bench reads it from /proc/PID/stat). A protocol-v1
/// recorder is reached through a `PipeRecorderLink`, a mass-storage one (`"storage"`)
/// through a `PipeTransferLink`.
struct OutOfProcessDevices {
    /// The `recorder-sim` to run.
    let command: String
    /// The scenario file, absolute, as the device processes read it.
    let scenarioPath: String

    /// `recorder-sim` beside this executable, or `command` when given.
    init(command: String?, scenarioPath: String) {
        let here = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        self.command = command ?? URL(fileURLWithPath: here).deletingLastPathComponent().appendingPathComponent("recorder-sim").path
        self.scenarioPath = URL(fileURLWithPath: scenarioPath).standardizedFileURL.path
    }

    /// Starts `recorder`'s device process and docks it on `port` with its family's driver;
    /// says on standard error why not when it cannot.
    func dock(_ recorder: RecorderScenario, port: String, gateway: Gateway, database: DeviceDatabase, capturer: LinkCapturer) async {
        let serial = recorder.identity.serial
        guard let (_, driver) = SimulatedDock.driver(for: recorder, database: database, port: port) else { return }
        let device: DeviceProcess
        do {
            device = try DeviceProcess(command: command, scenario: scenarioPath, serial: serial)
        } catch {
            log("bay \(port): \(error)")
            return
        }
        let link: DeviceLink
        if recorder.storage != nil {
            capturer.sayNotCaptured(port: port)
            link = .transfers(PipeTransferLink(device: device, model: recorder.link, name: serial, serialNumber: recorder.storage?.serialNumber))
        } else {
            link = .stream(capturer.wrap(PipeRecorderLink(device: device, model: recorder.link, name: serial), port: port))
        }
        if !(await gateway.dock(link: link, driver: driver, port: port)) {
            log("bay \(port): a dock is still running there; ignored")
            await link.close()
        }
    }
}
