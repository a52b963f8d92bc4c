import Foundation

/// A `RecorderLink` that writes every transfer it carries to an emulation file, so that a
/// field problem can be replayed by `recorder-sim` as a test case (Docs/simulator.md,
/// "Captures").
///
/// The file is JSON lines: a header
/// `{"format": "recorder-gateway-capture", "version": 1, "link": "...", "created": "...Z"}`,
/// then one line per transfer `{"t": <ms since the start>, "dir": "out"|"in", "data": "<base64>"}`
/// in the order they happened. Every line is flushed as written, so a capture cut short by a
/// crash is still readable up to its last transfer.
public final class CaptureLink: RecorderLink, @unchecked Sendable {
    private let inner: any RecorderLink
    private let handle: FileHandle
    private let lock = NSLock()
    private let start = ContinuousClock.now

    public var description: String { inner.description + " (captured)" }
    public var capacityBytesPerSecond: Double? { inner.capacityBytesPerSecond }

    /// Wraps `inner`, creating the capture file at `path` (0640).
    public init(_ inner: any RecorderLink, path: String) throws {
        self.inner = inner
        self.handle = try CaptureFile.create(atPath: path)
        let f = ISO8601DateFormatter()
        write(["format": "recorder-gateway-capture", "version": 1, "link": inner.description, "created": f.string(from: Date())])
    }

    deinit { try? handle.close() }

    public func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        record("out", bytes)
        try await inner.send(bytes, timeout: timeout)
    }

    public var activity: LinkActivity? { inner.activity }

    public func receive() async throws(LinkError) -> [UInt8] {
        let bytes = try await inner.receive()
        record("in", bytes)
        return bytes
    }

    public func close() async {
        await inner.close()
        flush()
    }

    private func flush() {
        lock.lock()
        defer { lock.unlock() }
        try? handle.synchronize()
    }

    private func record(_ direction: String, _ bytes: [UInt8]) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        write(["t": (ms * 1000).rounded() / 1000, "dir": direction, "data": Data(bytes).base64EncodedString()])
    }

    private func write(_ object: [String: Any]) {
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        try? handle.write(contentsOf: line)
    }
}
