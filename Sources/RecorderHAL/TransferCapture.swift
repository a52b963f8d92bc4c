import Foundation

/// A capture file of one vendor recorder's dock: every transfer of its unlock and of the
/// mass-storage read that follows (`TransferCaptureLink` writes them), and what the bus said
/// between them, as JSON lines (Docs/operations.md, "Capturing a vendor recorder's dock").
///
/// Guarantees: the password is never written: every transfer goes through `redaction` before a
/// byte of it reaches the file (`PasswordRedaction`); the mass-storage part keeps its wrappers'
/// bytes and its data phases whole (base64): the disk's sectors, footage included, so the
/// dock can be played back (`recorder-gatewayd --replay`). Handle a capture as evidence.
/// Every line is written whole and flushed as written, so a capture cut short by a crash is
/// readable up to its last line. Safe to use from several tasks.
public final class TransferCapture: @unchecked Sendable {
    /// The header's `format`.
    public static let format = "recorder-gateway-transfer-capture"
    /// The header's `version`.
    public static let version = 1

    /// What replaces the password in every transfer written.
    public let redaction: PasswordRedaction
    private let handle: FileHandle
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var closed = false

    /// Creates the file at `path` (0640; its directory if need be) and writes the header:
    /// `format`, `version`, `created`, and `about` (the port, the family).
    public init(path: String, redaction: PasswordRedaction, about: [String: String]) throws {
        self.redaction = redaction
        self.handle = try CaptureFile.create(atPath: path)
        var header: [String: Any] = ["format": Self.format, "version": Self.version,
                                     "created": ISO8601DateFormatter().string(from: Date()), "password": PasswordRedaction.marker]
        for (k, v) in about { header[k] = v }
        write(header)
    }

    deinit { close() }

    /// Milliseconds since the capture began, to the microsecond.
    public func elapsedMilliseconds() -> Double {
        let d = ContinuousClock.now - start
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return (ms * 1000).rounded() / 1000
    }

    /// Writes one line saying what happened on the bus or in the dance (`event`: `link`,
    /// `departed`, `arrived`, `refused`, `dance-ended`, `dock-ended`), with `detail`.
    public func event(_ event: String, _ detail: [String: String] = [:]) {
        var line: [String: Any] = ["t": elapsedMilliseconds(), "event": event]
        for (k, v) in detail { line[k] = v }
        write(line)
    }

    /// Writes one transfer line (built by `TransferCaptureLink`, already redacted).
    func transfer(_ line: [String: Any]) { write(line) }

    /// Flushes and closes the file; later lines are dropped.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        try? handle.synchronize()
        try? handle.close()
    }

    private func write(_ object: [String: Any]) {
        var object = object
        // A data phase (up to 1 MiB, given as its bytes) goes into the line as base64 written
        // straight after the other fields: through JSONSerialization the text was copied and
        // scanned once more, and every "/" escaped. Base64 needs no escaping in JSON.
        let data = object.removeValue(forKey: "data") as? [UInt8]
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        if let data, line.last == UInt8(ascii: "}") {
            line.removeLast()
            line.append(contentsOf: Array((object.isEmpty ? "\"data\":\"" : ",\"data\":\"").utf8))
            line.append(Data(data).base64EncodedData())
            line.append(contentsOf: Array("\"}".utf8))
        }
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        try? handle.write(contentsOf: line)
    }
}
