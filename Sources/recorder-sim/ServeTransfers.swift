import Foundation
import RecorderSimulator

/// `recorder-sim serve` for a mass-storage recorder: its image served behind the timed
/// Bulk-Only link, one `TransferWire` request and reply at a time on stdin/stdout (what
/// `PipeTransferLink` speaks). Exits 0 at end of input, 1 on a request it cannot read.
func serveMassStorage(_ recorder: RecorderScenario) async -> Int32 {
    let device: SimulatedMassStorage
    do {
        guard let d = try SimulatedMassStorage(recorder, name: recorder.identity.serial) else {
            fail("recorder \(recorder.identity.serial) has no storage", 1)
        }
        device = d
    } catch {
        fail("recorder \(recorder.identity.serial): \(error)", 1)
    }
    // A host that went away mid-reply ends the device; it must not die of SIGPIPE first.
    signal(SIGPIPE, SIG_IGN)
    return await TransferServer.serve(device.hostEnd, input: STDIN_FILENO, output: STDOUT_FILENO) ? 0 : 1
}
