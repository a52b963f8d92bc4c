import RecorderHAL

/// The vendor interface of a captured recorder played back: each transfer the host makes is
/// answered as the capture's next unlock transfer was, in order.
///
/// A request matches when it is the same kind of transfer (bulk or control, its direction, the
/// control setup) and, for what the host sends, the same length and the same bytes outside the
/// runs the capture wrote as `<password>`. One exception: amba-ascii's clock commands (`@Sdt;8;`,
/// `@Stm;6;`) carry the time of the dock, so they match whatever date and time follow their head.
/// A transfer that does not match, or comes after the capture's last, fails with `.io` naming
/// the capture's line; nothing is made up. When the capture's last unlock transfer has been
/// answered, the device leaves the bus if the recorder did (`onDeparture`).
actor UnlockReplayDevice: SimulatedTransferDevice {
    nonisolated let interfaceNumber: UInt8 = 0
    nonisolated let endpointsDescription: String
    private let script: [VendorCaptureScript.RecordedTransfer]
    private var next = 0
    private var gone = false
    private let departs: Bool
    private let onDeparture: @Sendable () -> Void

    /// The command heads whose arguments are the dock's date and time.
    static let clockCommandHeads = ["@Sdt;8;", "@Stm;6;"]

    init(script: [VendorCaptureScript.RecordedTransfer], departs: Bool, source: String, onDeparture: @escaping @Sendable () -> Void) {
        self.script = script
        self.departs = departs
        self.onDeparture = onDeparture
        endpointsDescription = "replaying \(source)"
    }

    func receive(_ bytes: [UInt8]) throws(LinkError) {
        let recorded = try take(.bulkOut, describing: "bulk OUT of \(bytes.count) bytes")
        try expectSent(bytes, recorded)
        try finish(recorded, direction: .bulkOut)
    }

    func send(upTo length: Int) throws(LinkError) -> [UInt8] {
        let recorded = try take(.bulkIn, describing: "bulk IN of up to \(length) bytes")
        try finish(recorded, direction: .bulkIn)
        return try reply(recorded, upTo: length)
    }

    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int) throws(LinkError) -> [UInt8] {
        let isIn = requestType & 0x80 != 0
        let setup = VendorCaptureScript.Setup(requestType: requestType, request: request, value: value, index: index)
        let what = String(format: "control %@ %02x/%02x wValue %04x wIndex %04x", isIn ? "IN" : "OUT", requestType, request, value, index)
        let recorded = try take(isIn ? .controlIn : .controlOut, describing: what)
        guard recorded.setup == setup else { throw mismatch(recorded, what, "its setup differs") }
        if isIn {
            try finish(recorded, direction: .control)
            return try reply(recorded, upTo: length)
        }
        try expectSent(data, recorded)
        try finish(recorded, direction: .control)
        return []
    }

    func clearHalt(_ direction: LinkError.Direction) throws(LinkError) {
        let recorded = try take(.clearHalt, describing: "clear-halt")
        try finish(recorded, direction: direction)
    }

    // MARK: - Matching

    /// The next recorded transfer, which must be of `kind`.
    private func take(_ kind: VendorCaptureScript.RecordedTransfer.Kind, describing what: String) throws(LinkError) -> VendorCaptureScript.RecordedTransfer {
        if gone { throw .deviceGone }
        guard next < script.count else {
            throw .io("replay: the capture holds no \(what) after its \(script.count) unlock transfers")
        }
        let recorded = script[next]
        guard recorded.kind == kind else { throw mismatch(recorded, what, "the capture has a \(recorded.kind.rawValue) there") }
        next += 1
        return recorded
    }

    /// `bytes` (never written in a message: they may carry the password) against the recording.
    private func expectSent(_ bytes: [UInt8], _ recorded: VendorCaptureScript.RecordedTransfer) throws(LinkError) {
        let what = "\(recorded.kind.rawValue) of \(bytes.count) bytes"
        guard bytes.count == recorded.length else { throw mismatch(recorded, what, "the capture's was \(recorded.length) bytes") }
        if let text = recorded.text, let head = Self.clockCommandHeads.first(where: { text.hasPrefix($0) }) {
            guard bytes.starts(with: Array(head.utf8)), bytes.suffix(2) == [0x3B, 0x23] else {
                throw mismatch(recorded, what, "it is not \(head)…;#")
            }
            return
        }
        guard VendorCaptureScript.matches(recorded.bytes, bytes) else {
            throw mismatch(recorded, what, "its bytes differ outside the password")
        }
    }

    /// The recorded reply, or the recorded failure.
    private func reply(_ recorded: VendorCaptureScript.RecordedTransfer, upTo length: Int) throws(LinkError) -> [UInt8] {
        guard let bytes = VendorCaptureScript.plain(recorded.bytes) else {
            throw .io("replay: line \(recorded.line) of the capture is a reply holding <password>; it cannot be played back")
        }
        guard bytes.count <= length else {
            throw .io("replay: line \(recorded.line) of the capture is a reply of \(bytes.count) bytes; \(length) were asked for")
        }
        return bytes
    }

    /// Ends a matched transfer as the recorded one ended; after the last, the device leaves.
    private func finish(_ recorded: VendorCaptureScript.RecordedTransfer, direction: LinkError.Direction) throws(LinkError) {
        if next == script.count, departs {
            gone = true
            onDeparture()
        }
        switch recorded.status {
        case "ok": return
        case "timeout": throw .timedOut(direction: direction, milliseconds: 0)
        case "stall": throw .stalled(endpoint: direction == .bulkIn ? 0x81 : direction == .bulkOut ? 0x01 : 0)
        case "gone": throw .deviceGone
        default: throw .io("replay: line \(recorded.line) of the capture ended \(recorded.status)")
        }
    }

    private func mismatch(_ recorded: VendorCaptureScript.RecordedTransfer, _ what: String, _ why: String) -> LinkError {
        .io("replay: the host's \(what) does not match line \(recorded.line) of the capture: \(why)")
    }
}
