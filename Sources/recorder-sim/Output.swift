import Foundation
import GatewayCrypto
import RecorderHAL
import RecorderProtocol
import RecorderSimulator

func printDescription(_ d: ScenarioDescription) {
    for r in d.recorders {
        let id = r.identity
        print("\(id.serial)  \(id.model) fw \(id.firmware)  officer \(id.officerNumber) \(id.officerName)  unit \(id.unitNumber) \(id.unitName)")
        print("  port \(r.port)  usb \(String(format: "%04x:%04x", r.vendorId, r.productId))  link \(linkText(r.link))")
        for f in r.files {
            let path = String(decoding: f.path, as: UTF8.self).debugDescription
            let size = f.reportedSize == f.size ? "\(f.size)" : "\(f.size) (catalog says \(f.reportedSize))"
            print("  #\(f.id) \(f.kind) seq \(f.sequence)\(f.important ? " important" : "") \(size) B  \(path.prefix(90))")
            print("      sha256 \(hexString(f.sha256))\(f.deviceSHA256.map { $0 == f.sha256 ? "" : "  device claims \(hexString($0))" } ?? "  (device keeps no hash)")")
        }
        for fault in r.faults { print("  fault: \(fault)") }
        if let s = r.storage {
            print("  mass storage: image \(s.imagePath), \(s.blockSize)-byte blocks, \(s.writeProtected ? "write-protected" : "not write-protected"), inquiry \(s.vendor.debugDescription) \(s.product.debugDescription) \(s.revision.debugDescription)")
            for fault in s.faults { print("  storage fault: \(fault)") }
        }
    }
}

func linkText(_ m: LinkModel) -> String {
    guard let rate = m.bytesPerSecond else { return "unlimited" }
    return String(format: "%.1f MB/s, %d-byte packets, latency %@", rate / 1e6, m.packetSize, "\(m.latency)")
}

/// Streams one file's served bytes to stdout in 1 MiB pieces.
func writeContent(_ r: RecorderScenario, id: UInt32) {
    let rec = r.recordings.first { $0.id == id }!
    let corruptions = r.faults.compactMap { f -> UInt64? in
        if case .corrupt(id, let at, false, _) = f { return at }
        return nil
    }
    var offset: UInt64 = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while offset < rec.size {
        let n = Int(min(UInt64(buffer.count), rec.size - offset))
        buffer.withUnsafeMutableBytes { raw in
            let part = UnsafeMutableRawBufferPointer(rebasing: raw[0..<n])
            rec.fill(part, offset: offset)
            for c in corruptions where c >= offset && c < offset + UInt64(n) { part[Int(c - offset)] ^= 0xFF }
        }
        FileHandle.standardOutput.write(Data(buffer[0..<n]))
        offset += UInt64(n)
    }
}

/// Byte counts per serial, written by transfer tasks and read by the progress printer.
final class ProgressBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [String: UInt64] = [:]
    func set(_ serial: String, _ n: UInt64) { lock.lock(); bytes[serial] = n; lock.unlock() }
    func snapshot() -> [String: UInt64] { lock.lock(); defer { lock.unlock() }; return bytes }
}

func runDemo(_ scenario: Scenario, json: Bool, options: DriverOptions) async -> Int32 {
    let expected = ScenarioDescription(scenario)
    let totals = Dictionary(uniqueKeysWithValues: expected.recorders.map { ($0.identity.serial, $0.totalBytes) })
    let board = ProgressBoard()
    let tty = isatty(STDOUT_FILENO) == 1 && !json
    let started = ContinuousClock.now
    let ticker = Task {
        guard tty else { return }
        while !Task.isCancelled {
            let snap = board.snapshot()
            let line = expected.recorders.map { r -> String in
                let total = max(1, totals[r.identity.serial] ?? 1)
                let pct = Int(Double(snap[r.identity.serial] ?? 0) * 100 / Double(total))
                return "\(r.identity.serial) \(String(format: "%3d", pct))%"
            }.joined(separator: "  ")
            FileHandle.standardOutput.write(Data(("\r" + line).utf8))
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
    let outcomes = await Rehearsal.run(scenario, expected: expected, options: options) { board.set($0, $1) }
    ticker.cancel()
    _ = await ticker.value
    let seconds = secondsSince(started)
    if tty { print("\r" + String(repeating: " ", count: 78) + "\r", terminator: "") }
    let bytes = outcomes.reduce(UInt64(0)) { $0 + $1.bytes }
    let ok = outcomes.allSatisfy { $0.problems.isEmpty && $0.verified == $0.files }
    if json {
        let list: [[String: Any]] = outcomes.map { o in
            ["serial": o.serial, "port": o.port, "files": o.files, "verified": o.verified, "released": o.released,
             "bytes": o.bytes, "seconds": o.seconds, "rereads": o.rereads, "problems": o.problems,
             "clockOffsetMs": o.clockOffsetMilliseconds.map { ($0 * 10).rounded() / 10 as Any } ?? NSNull()]
        }
        let object: [String: Any] = ["recorders": list, "bytes": bytes, "seconds": seconds,
                                     "mbps": Double(bytes) / 1e6 / max(seconds, 1e-9), "ok": ok]
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        FileHandle.standardOutput.write(data ?? Data())
        print()
    } else {
        print("BAY      SERIAL   FILES  VERIFIED  RELEASED        MB    MB/s  CLOCK OFFSET")
        for o in outcomes {
            let mb = Double(o.bytes) / 1e6
            let clock = o.clockOffsetMilliseconds.map { abs($0) < 50 ? "+0.0 s" : String(format: "%+.1f s", $0 / 1000) } ?? "-"
            print(pad(o.port, 8) + " " + pad(o.serial, 8) + String(format: " %5d  %8d  %8d  %8.1f  %6.1f  ",
                         o.files, o.verified, o.released, mb, mb / max(o.seconds, 1e-9)) + clock)
            for p in o.problems { print("  ! \(p)") }
        }
        print(String(format: "%d recorders, %.1f MB in %.2f s (%.1f MB/s aggregate): %@", outcomes.count,
                     Double(bytes) / 1e6, seconds, Double(bytes) / 1e6 / max(seconds, 1e-9),
                     ok ? "every file verified and released" : "SOME FILES DID NOT VERIFY"))
    }
    return ok ? 0 : 1
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// Prints `{"name": ..., "bytes": ..., "seconds": ..., "mbps": ...}` for each primitive on one core.
func measurePrimitives() {
    let size = 256 << 20
    var buffer = [UInt8](repeating: 0, count: size)
    func report(_ name: String, bytes: Int, _ body: () -> Void) {
        body() // warm up: page in the buffer, build tables
        let start = ContinuousClock.now
        let rounds = 4
        for _ in 0..<rounds { body() }
        let seconds = secondsSince(start)
        let total = bytes * rounds
        print("{\"name\": \"\(name)\", \"bytes\": \(total), \"seconds\": \(String(format: "%.3f", seconds)), \"mbps\": \(String(format: "%.0f", Double(total) / 1e6 / seconds))}")
    }
    let generator = ContentGenerator(seed: 1)
    report("content_generator", bytes: size) {
        buffer.withUnsafeMutableBytes { generator.fill($0, offset: 0) }
    }
    var sink: UInt32 = 0
    report("crc32c", bytes: size) {
        buffer.withUnsafeBytes { sink ^= CRC32C.checksum($0) }
    }
    var digest: [UInt8] = []
    report("sha256", bytes: size) {
        let h = SHA256Hasher()
        buffer.withUnsafeBytes { h.update($0) }
        digest = h.finalize()
    }
    if sink == 0x1234_5678 && digest.isEmpty { print("") } // keep the work observable
}
