import Foundation
import RecorderHAL
import RecorderSimulator

/// `recorder-sim serve`: one simulated recorder on standard input and output, for harnesses
/// that present it as a real USB device (Tests/umockdev). Each message in either direction is
/// a u32 little-endian length and that many bytes: on stdin the data of one bulk OUT transfer,
/// on stdout the data of one bulk IN transfer. When the device is unplugged (a `disconnect`
/// fault) the length 0xFFFFFFFF is written and the program exits 0; at end of stdin it exits 0.
/// A mass-storage recorder (`"storage"`) is served as `serveMassStorage` says instead.
func serve(_ scenario: Scenario, serial: String, keepLink: Bool) async -> Int32 {
    guard var recorder = scenario.recorders.first(where: { $0.identity.serial == serial }) else {
        fail("no recorder with serial \(serial) in the scenario", 1)
    }
    // The harness's USB path has timing of its own; the model's would only slow it down.
    if !keepLink { recorder.link = .unlimited }
    // A vendor recorder's USB appearance needs control transfers and a re-enumeration the
    // harness's framing does not carry yet; serving its storage directly would skip the unlock.
    if let vendor = recorder.vendor {
        fail("recorder \(serial) is a \(vendor.family.rawValue) vendor recorder; serve does not present vendor families (Docs/simulator.md §13)", 1)
    }
    if recorder.storage != nil { return await serveMassStorage(recorder) }
    let device = await SimulatedRecorder.dock(recorder)
    let link = device.bus.hostEnd

    // Standard input is read on a thread of its own: blocking reads must not hold one of the
    // few cooperative threads.
    let input = Thread {
        while let message = readMessage() {
            let done = DispatchSemaphore(value: 0)
            Task {
                try? await link.send(message, timeout: .seconds(30))
                done.signal()
            }
            done.wait()
        }
        exit(0)
    }
    input.start()
    while true {
        do {
            FramedPipe.write(try await link.receive(), to: STDOUT_FILENO)
        } catch {
            FramedPipe.writeGone(to: STDOUT_FILENO)
            exit(0)
        }
    }
}

/// One length-prefixed message from standard input (`FramedPipe`), or nil at end of input.
private func readMessage() -> [UInt8]? {
    let length: UInt64
    switch FramedPipe.read(STDIN_FILENO) {
    case .message(let m): return m
    case .end: return nil
    // The host never unplugs: its 0xFFFFFFFF is a length like any other, and too long.
    case .gone: length = UInt64(UInt32.max)
    case .oversized(let n): length = n
    }
    FileHandle.standardError.write(Data("recorder-sim serve: message of \(length) bytes is over 64 MiB; stopping\n".utf8))
    exit(1)
}
