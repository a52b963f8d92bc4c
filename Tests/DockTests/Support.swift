import Dock
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import ProtocolV1Family
import RecorderHAL
import RecorderSimulator
import Settings
import Testing
import TestSupport

/// A gateway over a fresh store and state directory in /tmp, removed when the test process
/// exits (see `removeAtExit`).
struct TestKiosk {
    let root: String
    let config: GatewayConfig
    let gateway: Gateway

    /// `requestTimeout`: generous by default, so that a busy CI machine is never taken for a
    /// silent recorder; only tests of timeouts pass a short one.
    init(release: ReleasePolicy = .keep, passwords: [String: String] = [:], root: String? = nil,
         requestTimeout: Duration = .seconds(30), verifySource: VerifySourcePolicy = .beforeRelease,
         watermarks: StoreWatermarks = .defaults, vendor: VendorDockSettings = VendorDockSettings()) throws {
        let dir = root ?? NSTemporaryDirectory() + "kiosk-" + UUID().uuidString
        if root == nil { removeAtExit(dir) }
        self.root = dir
        var c = GatewayConfig()
        c.store = dir + "/store"
        c.state = dir + "/state"
        c.gatewayId = "test-kiosk"
        c.releasePolicy = release
        c.verifySource = verifySource
        c.storeWatermarks = watermarks
        c.passwords = passwords
        c.defaultPassword = "secret"
        config = c
        var options = DriverOptions()
        options.requestTimeout = requestTimeout
        gateway = try Gateway(config: c, driverOptions: options, vendor: vendor)
    }

    /// A second gateway process on the same store and state (as after a restart).
    func restarted() throws -> TestKiosk { try TestKiosk(release: config.releasePolicy, passwords: config.passwords, root: root) }

    /// Docks each recorder device and waits for all docks to end.
    func dock(_ devices: [(SimulatedRecorder, String)]) async -> [DockOutcome] {
        for (device, port) in devices {
            await gateway.dock(link: .stream(device.bus.hostEnd), driver: ZFYBulkDriver(), port: port)
        }
        let all = await gateway.waitUntilIdle()
        return Array(all.suffix(devices.count))
    }

    func dockOne(_ r: RecorderScenario, port: String = "1-1.1") async -> (DockOutcome, SimulatedRecorder) {
        let device = await SimulatedRecorder.dock(r)
        let out = await dock([(device, port)])
        return (out[0], device)
    }

    /// Docks one recorder whose link the host sees through `wrap`.
    func dockOne(_ r: RecorderScenario, through wrap: (any RecorderLink) -> any RecorderLink) async -> DockOutcome {
        let device = await SimulatedRecorder.dock(r)
        await gateway.dock(link: .stream(wrap(device.bus.hostEnd)), driver: ZFYBulkDriver(), port: "1-1.1")
        return await gateway.waitUntilIdle().last!
    }
}

/// A one-recorder scenario on an unlimited link.
func recorderScenario(serial: String = "T000001", recordings: String = standardRecordings, faults: String = "[]",
                      password: String = "secret") throws -> RecorderScenario {
    let json = """
    {"schema": 1, "recorders": [{
      "identity": {"serial": "\(serial)", "officerNumber": "123456", "officerName": "测试", "unitNumber": "440300000000", "unitName": "测试单位"},
      "password": "\(password)", "link": "unlimited",
      "clock": {"offsetSeconds": 30},
      "recordings": \(recordings),
      "faults": \(faults)
    }]}
    """
    return try Scenario(json: Data(json.utf8)).recorders[0]
}

let standardRecordings = """
[
  {"id": 1, "kind": "video", "path": "DCIM/100MEDIA/0001.MP4", "size": 3000001, "sequence": 1},
  {"id": 2, "kind": "photo", "path": "DCIM/100MEDIA/0002.JPG", "size": 70000, "sequence": 2, "important": true},
  {"id": 3, "kind": "gps-log", "path": "GPS/0001.NMEA", "gps": {"seconds": 20, "lat": 22.54, "lon": 114.05}},
  {"id": 4, "kind": "time-log", "path": "LOG/TIME.LOG", "events": [{"at": "2026-11-26T07:59:00+08:00", "type": "POWER_ON"}]}
]
"""

/// Runs a command through /usr/bin/env; returns (status, stdout+stderr).
@discardableResult
func run(_ arguments: [String], in directory: String? = nil) throws -> (Int32, String) {
    let result = try TestSupport.run("/usr/bin/env", arguments, directory: directory.map { URL(fileURLWithPath: $0) },
                                     mergingErrors: true)
    return (result.status, result.output)
}

/// SHA-256 of a file on disk, hex.
func sha256(ofFile path: String) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return hexString(SHA256Hasher.hash(data))
}
