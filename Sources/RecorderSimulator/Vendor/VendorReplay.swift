import Foundation
import RecorderHAL

/// A vendor recorder played back from its dock's capture (`TransferCapture`,
/// `recorder-gateway-transfer-capture`): its vendor interface answers the unlock as the real
/// recorder did (`UnlockReplayDevice`), then it leaves the bus and comes back as the disk the
/// capture read (`StorageReplayDevice`), as a simulated vendor recorder does. What a kiosk's
/// dance is given in place of a libusb link, so the unmodified dance runs against a real dock.
public struct VendorReplay: Sendable {
    /// The family the capture names (`amba-ctrl`, `amba-ascii`).
    public let family: String
    /// The host's end of the vendor interface (unlimited link: replies come at once).
    public let hostEnd: any USBTransferLink
    /// `.leftBus` once the capture's last unlock transfer was answered (if the recorder left
    /// then), followed by `.reappeared` (if it came back in the capture); then the stream ends.
    public let events: AsyncStream<Event>

    public enum Event: Sendable {
        /// The vendor device left the bus.
        case leftBus
        /// It came back as this disk, with these USB ids; `port` is nil on the port it left,
        /// else the other port the capture saw it come back on.
        case reappeared(any USBTransferLink, vendorId: UInt16, productId: UInt16, port: String?)
    }

    /// Whether the file at `path` begins as a vendor dock's capture (its header's `format`).
    public static func isVendorCapture(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        let line = head.split(separator: 0x0A, maxSplits: 1).first ?? Data()
        let header = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any]
        return header?["format"] as? String == VendorCaptureScript.format
    }

    /// Reads the capture at `path`; `name` names the replay's bay (its links' descriptions).
    ///
    /// - Throws: `ScenarioError` naming the line that is wrong.
    public init(capture path: String, name: String) throws(ScenarioError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ScenarioError(path: path, reason: "cannot read the capture")
        }
        let script = try VendorCaptureScript(text: text, path: path)
        family = script.family
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        events = stream
        let source = (path as NSString).lastPathComponent
        // The disk, whenever the capture saw it come back: a capture cut before the disk's
        // commands still has it answer, each command CHECK CONDITION.
        let disk: (any USBTransferLink)? = script.arrival == nil ? nil
            : SimulatedTransferLink(device: StorageReplayDevice(script: script, source: source), timing: TransferTiming(model: .unlimited),
                                    name: name + " (storage)", serialNumber: script.storageSerial)
        let arrival = script.arrival
        let recordedPort = script.port
        let device = UnlockReplayDevice(script: script.unlock, departs: script.departed, source: source) {
            continuation.yield(.leftBus)
            if let disk, let arrival {
                continuation.yield(.reappeared(disk, vendorId: arrival.vendorId, productId: arrival.productId,
                                               port: arrival.port == recordedPort ? nil : arrival.port))
            }
            continuation.finish()
        }
        if !script.departed { continuation.finish() }
        hostEnd = SimulatedTransferLink(device: device, timing: TransferTiming(model: .unlimited), name: name,
                                        serialNumber: script.unlockSerial)
    }
}
