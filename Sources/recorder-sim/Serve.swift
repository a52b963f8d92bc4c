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
    if recorder.storage != nil { return await serveMassStorage(recorder) }
    let device = await SimulatedRecorder.dock(recorder)
    let link = device.bus.hostEnd

    // Standard input is read on a thread of its own: blocking reads must not hold one of the
    // few cooperative threads.
    let input = Thread {
        while let message = readMessage(FileHandle.standardInput) {
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
            let bytes = try await link.receive()
            writeMessage(bytes)
        } catch {
            var gone = UInt32.max.littleEndian
            FileHandle.standardOutput.write(Data(bytes: &gone, count: 4))
            exit(0)
        }
    }
}

/// One length-prefixed message, or nil at end of input.
private func readMessage(_ handle: FileHandle) -> [UInt8]? {
    guard let header = readExactly(handle, 4) else { return nil }
    let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
    guard length <= 64 << 20 else {
        FileHandle.standardError.write(Data("recorder-sim serve: message of \(length) bytes is over 64 MiB; stopping\n".utf8))
        exit(1)
    }
    return readExactly(handle, length)
}

private func readExactly(_ handle: FileHandle, _ count: Int) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(count)
    while out.count < count {
        guard let data = try? handle.read(upToCount: count - out.count), !data.isEmpty else { return count == 0 ? [] : nil }
        out += data
    }
    return out
}

private func writeMessage(_ bytes: [UInt8]) {
    var length = UInt32(bytes.count).littleEndian
    var data = Data(bytes: &length, count: 4)
    data.append(contentsOf: bytes)
    FileHandle.standardOutput.write(data)
}
