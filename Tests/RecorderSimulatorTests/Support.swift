import Foundation
import GatewayCrypto
import ProtocolV1Family
import RecorderHAL
import RecorderProtocol
@testable import RecorderSimulator

/// A one-recorder scenario on an unlimited link, with `recordings` and `faults` spliced in.
func scenario(recordings: String = defaultRecordings, faults: String = "[]", extra: String = "") throws -> Scenario {
    let json = """
    {"schema": 1, "recorders": [{
      "identity": {"serial": "T000001", "officerNumber": "123456", "officerName": "测试", "unitNumber": "440300000000", "unitName": "测试单位"},
      "password": "secret", "link": "unlimited", "lockout": {"attempts": 3, "seconds": 60},
      "clock": {"offsetSeconds": 120, "zoneOffsetMinutes": 480}\(extra),
      "recordings": \(recordings),
      "faults": \(faults)
    }]}
    """
    return try Scenario(json: Data(json.utf8))
}

let defaultRecordings = """
[
  {"id": 1, "kind": "video", "path": "DCIM/0001.MP4", "size": 5000003, "start": "2026-11-26T08:00:00+08:00", "sequence": 1},
  {"id": 2, "kind": "photo", "path": "DCIM/0002.JPG", "size": 70000, "sequence": 2, "important": true},
  {"id": 3, "kind": "gps-log", "path": "GPS/0001.NMEA", "gps": {"seconds": 30, "lat": 22.54, "lon": 114.05, "talker": "GB"}},
  {"id": 4, "kind": "time-log", "path": "LOG/TIME.LOG", "events": [{"at": "2026-11-26T07:59:00+08:00", "type": "POWER_ON"}]}
]
"""

/// Driver options for the simulator tests. The timeout is generous, so that a busy CI machine
/// is never taken for a silent recorder; only tests of timeouts pass a short one.
func fastOptions(timeout: Duration = .seconds(30), chunk: Int = 256 * 1024) -> DriverOptions {
    var o = DriverOptions()
    o.requestTimeout = timeout
    o.readChunkBytes = chunk
    return o
}

/// Docks the scenario's first recorder and opens it through the real driver.
func dock(_ s: Scenario, options: DriverOptions = fastOptions()) async throws -> (SimulatedRecorder, any Recorder) {
    let device = await SimulatedRecorder.dock(s.recorders[0])
    let recorder = try await ZFYBulkDriver().open(link: device.bus.hostEnd, options: options)
    return (device, recorder)
}

/// Reads a whole range and returns (bytes, rereads).
func readAll(_ recorder: any Recorder, _ id: UInt32, size: UInt64) async throws -> ([UInt8], Int) {
    let reader = recorder.read(id, range: 0..<size)
    var out: [UInt8] = []
    var expectedOffset: UInt64 = 0
    while let chunk = try await reader.next() {
        precondition(chunk.offset == expectedOffset, "chunks out of order")
        out += chunk.data
        expectedOffset += UInt64(chunk.data.count)
    }
    return (out, reader.rereads)
}
