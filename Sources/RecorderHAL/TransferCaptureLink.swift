import Foundation

/// A `USBTransferLink` that writes every transfer it carries to a `TransferCapture`, then
/// passes it on unchanged: one line per control transfer, bulk transfer or halt cleared, with
/// when it began (`t`, ms since the capture began), how long it took (`ms`), its direction,
/// lengths, bytes and how it ended (`status`). What is written of the bytes depends on `part`:
///
/// - `.unlock`: every byte, in hex (and as text when printable), with `<password>` over what
///   the family says holds the password and over any run of the password's bytes
///   (`PasswordRedaction`), in both directions;
/// - `.massStorage`: Bulk-Only Transport's command and status wrappers (a 31-byte bulk OUT
///   beginning `USBC`, a 13-byte bulk IN beginning `USBS`: USB MSC BOT 1.0 §5.1, §5.2) whole, also
///   redacted; the data phases between them whole, in base64 (`data`), so that the capture can
///   be played back (`VendorReplay`): they are the disk's sectors, the footage included, as a
///   protocol v1 capture holds its recordings; control transfers (BOT's class requests) whole,
///   redacted.
public struct TransferCaptureLink: USBTransferLink {
    /// Which part of a vendor recorder's dock the link carries.
    public enum Part: Sendable {
        /// The vendor unlock; `passwordSpan` is the family's (`StorageSwitchDriver.passwordSpan`).
        case unlock(passwordSpan: @Sendable ([UInt8]) -> Range<Int>?)
        /// The mass-storage read after the switch.
        case massStorage

        var name: String {
            switch self {
            case .unlock: "unlock"
            case .massStorage: "storage"
            }
        }
    }

    private let inner: any USBTransferLink
    private let capture: TransferCapture
    private let part: Part

    /// Wraps `inner`, writing its transfers to `capture`, and writes a `link` line naming it.
    public init(_ inner: any USBTransferLink, capture: TransferCapture, part: Part) {
        self.inner = inner
        self.capture = capture
        self.part = part
        var detail = ["part": part.name, "link": inner.description]
        // The device's own claim, for a replay to present again (the dance names the recorder by it).
        if let serial = inner.serialNumber { detail["usbSerial"] = serial }
        capture.event("link", detail)
    }

    public var description: String { inner.description + " (captured)" }
    public var interfaceNumber: UInt8 { inner.interfaceNumber }
    public var capacityBytesPerSecond: Double? { inner.capacityBytesPerSecond }
    public var serialNumber: String? { inner.serialNumber }

    public func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        let t = capture.elapsedMilliseconds()
        var line = lineStart("bulk", "out", t)
        line["length"] = bytes.count
        describe(bytes, sent: true, control: false, into: &line)
        try await recorded(line, since: t) { () async throws(LinkError) in try await inner.bulkOut(bytes, timeout: timeout) }
    }

    public func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        let t = capture.elapsedMilliseconds()
        var line = lineStart("bulk", "in", t)
        line["asked"] = length
        return try await recorded(line, since: t) { () async throws(LinkError) in
            try await inner.bulkIn(length: length, timeout: timeout)
        } received: { bytes, line in
            line["length"] = bytes.count
            describe(bytes, sent: false, control: false, into: &line)
        }
    }

    public func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                        data: [UInt8], length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        let t = capture.elapsedMilliseconds()
        let isIn = requestType & 0x80 != 0
        var line = lineStart("control", isIn ? "in" : "out", t)
        line["setup"] = ["bmRequestType": Self.hex(UInt64(requestType), 2), "bRequest": Self.hex(UInt64(request), 2),
                         "wValue": Self.hex(UInt64(value), 4), "wIndex": Self.hex(UInt64(index), 4),
                         "wLength": isIn ? length : data.count] as [String: Any]
        if !isIn {
            line["length"] = data.count
            describe(data, sent: true, control: true, into: &line)
        }
        return try await recorded(line, since: t) { () async throws(LinkError) in
            try await inner.control(requestType: requestType, request: request, value: value, index: index,
                                    data: data, length: length, timeout: timeout)
        } received: { bytes, line in
            guard isIn else { return }
            line["length"] = bytes.count
            describe(bytes, sent: false, control: true, into: &line)
        }
    }

    public func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError) {
        let t = capture.elapsedMilliseconds()
        let line = lineStart("clear-halt", direction == .bulkIn ? "in" : "out", t)
        try await recorded(line, since: t) { () async throws(LinkError) in try await inner.clearHalt(direction, timeout: timeout) }
    }

    /// Makes the transfer, lets `received` add what came back to `line`, and writes the line with
    /// how long the transfer took and how it ended; a failure is written, then thrown on.
    private func recorded<T>(_ line: [String: Any], since t: Double, _ transfer: () async throws(LinkError) -> T,
                             received: (T, inout [String: Any]) -> Void = { _, _ in }) async throws(LinkError) -> T {
        var line = line
        do {
            let result = try await transfer()
            received(result, &line)
            finish(&line, t, nil)
            return result
        } catch {
            finish(&line, t, error)
            throw error
        }
    }

    public func close() async {
        await inner.close()
    }

    // MARK: - Lines

    private func lineStart(_ transfer: String, _ dir: String, _ t: Double) -> [String: Any] {
        ["t": t, "part": part.name, "transfer": transfer, "dir": dir]
    }

    /// The bytes as this part may write them: redacted, or (mass storage's data phases) whole in
    /// base64. The data phases are not redacted: they are the disk's sectors, which the bag holds
    /// too; the password is redacted wherever a host or a device could put it in a transfer.
    private func describe(_ bytes: [UInt8], sent: Bool, control: Bool, into line: inout [String: Any]) {
        var span: Range<Int>?
        switch part {
        case .unlock(let passwordSpan):
            if sent { span = passwordSpan(bytes) }
        case .massStorage where control:
            // Class requests (Get Max LUN, the reset): a byte or none, never footage.
            break
        case .massStorage:
            guard let wrapper = Self.wrapper(bytes, sent: sent) else {
                line["bot"] = "data"
                // Written as base64 by `TransferCapture` (the bytes, not their text, here).
                if !bytes.isEmpty { line["data"] = bytes }
                return
            }
            line["bot"] = wrapper
        }
        guard !bytes.isEmpty else { return }
        let marked = capture.redaction.mask(bytes, span: span)
        line["hex"] = PasswordRedaction.hex(bytes, marked)
        if let text = PasswordRedaction.text(bytes, marked) { line["text"] = text }
    }

    /// "CBW" for a command block wrapper sent, "CSW" for a command status wrapper received, nil
    /// for anything else (data).
    static func wrapper(_ bytes: [UInt8], sent: Bool) -> String? {
        if sent, bytes.count == 31, bytes.starts(with: [0x55, 0x53, 0x42, 0x43]) { return "CBW" }
        if !sent, bytes.count == 13, bytes.starts(with: [0x55, 0x53, 0x42, 0x53]) { return "CSW" }
        return nil
    }

    private func finish(_ line: inout [String: Any], _ t: Double, _ error: LinkError?) {
        line["ms"] = ((capture.elapsedMilliseconds() - t) * 1000).rounded() / 1000
        if let error {
            line["status"] = Self.status(error)
            line["error"] = error.description
        } else {
            line["status"] = "ok"
        }
        capture.transfer(line)
    }

    /// How a transfer that failed ended, in one word.
    static func status(_ error: LinkError) -> String {
        switch error {
        case .timedOut: "timeout"
        case .stalled: "stall"
        case .deviceGone: "gone"
        case .closed: "closed"
        case .io: "error"
        }
    }

    private static func hex(_ v: UInt64, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
