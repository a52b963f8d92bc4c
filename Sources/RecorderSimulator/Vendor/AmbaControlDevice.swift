import Foundation
import RecorderHAL

/// The device end of an amba-ctrl recorder: vendor control requests on the default pipe (written
/// here from the family's published facts, not with the gateway's encoder). Login is a control
/// OUT 0x40/0x55 wValue 0x0080 wIndex 0 of 64 bytes `a1 12 00 12` + password, zero-padded; disk
/// mode a control OUT 0x40/0x50 wValue 0x0080 wIndex 0 of 64 bytes `a1 23 00 23`, zero-padded;
/// after either, a control IN 0xC0/0x55 wValue 0x0080 wIndex 0 reads the 10-byte result, byte 2
/// 1 for accepted, 0 for refused. Disk mode is accepted only after a login that was; once its
/// result has been read the device leaves the bus and comes back as mass storage. Any other
/// request, or a result asked for with nothing to report, stalls. The interface has no bulk
/// endpoint.
actor AmbaControlDevice: SimulatedTransferDevice {
    nonisolated let interfaceNumber: UInt8 = 0
    nonisolated let endpointsDescription = "control pipe only"

    private let personality: VendorPersonality
    private var passwords: PasswordCounter
    private var loggedIn = false
    /// The result waiting for the host's control IN, and the request it answers.
    private var pending: (request: String, bytes: [UInt8])?
    private var leaving = false
    private var gone = false

    init(_ personality: VendorPersonality) {
        self.personality = personality
        passwords = PasswordCounter(limit: personality.lockoutAttempts, lasts: personality.lockoutLasts)
    }

    func unplug() { gone = true }

    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int) throws(LinkError) -> [UInt8] {
        if gone { throw .deviceGone }
        switch (requestType, request, value, index) {
        case (0x40, 0x55, 0x0080, 0) where data.count == 64 && data.starts(with: [0xA1, 0x12, 0x00, 0x12]):
            let given = Array(data[4...].prefix { $0 != 0 })
            // Bytes after the terminating zero must be zero too: a packet that is not is not
            // the family's, and is refused like a wrong password.
            let clean = data[(4 + given.count)...].allSatisfy { $0 == 0 }
            let matched = !passwords.locked && passwords.check(clean ? given : [0xFF], against: personality.password)
            personality.log.append("login", text: "a1 12 00 12 <password>", passwordMatched: matched)
            loggedIn = matched
            var result = Self.result(matched ? 1 : 0)
            if personality.has(.echoPassword) && !matched {
                // A hostile device: a refusing status, then the password it was sent.
                result = [0xA1, 0x55, 0x00] + Array(given.prefix(7)) + [UInt8](repeating: 0, count: max(0, 7 - given.count))
            }
            pending = ("login", result)
            return []
        case (0x40, 0x50, 0x0080, 0) where data.count == 64 && data.starts(with: [0xA1, 0x23, 0x00, 0x23]) && data[4...].allSatisfy({ $0 == 0 }):
            personality.log.append("diskMode", text: "a1 23 00 23")
            let accepted = loggedIn && !personality.has(.refuseDiskMode)
            if accepted && personality.has(.leaveWithoutAnswer) {
                gone = true
                personality.leave()
                return []
            }
            leaving = accepted
            pending = ("diskMode", Self.result(accepted ? 1 : 0))
            return []
        case (0xC0, 0x55, 0x0080, 0):
            personality.log.append("result", text: "control IN × \(length)")
            guard let (name, bytes) = pending else { throw .stalled(endpoint: 0) }
            pending = nil
            var reply = bytes
            if personality.emptyReply(name) { reply = [] }
            if let n = personality.longReply(name) {
                reply = Array((reply + [UInt8](repeating: 0x5A, count: max(0, n - reply.count))).prefix(n))
            }
            if leaving {
                gone = true
                personality.leave()
            }
            return Array(reply.prefix(length))
        case (0x02, 0x01, 0, _):
            return [] // CLEAR_FEATURE(ENDPOINT_HALT)
        default:
            personality.log.append("unknown", text: String(format: "control %02x/%02x wValue %04x wIndex %04x × %d",
                                                           requestType, request, value, index, max(length, data.count)))
            throw .stalled(endpoint: 0)
        }
    }

    /// A 10-byte result with `status` in byte 2.
    private static func result(_ status: UInt8) -> [UInt8] {
        [0xA1, 0x55, status, 0, 0, 0, 0, 0, 0, 0]
    }

    func receive(_ bytes: [UInt8]) throws(LinkError) {
        if gone { throw .deviceGone }
        throw .io("simulated amba-ctrl device: the interface has no bulk OUT endpoint")
    }

    func send(upTo length: Int) throws(LinkError) -> [UInt8] {
        if gone { throw .deviceGone }
        throw .io("simulated amba-ctrl device: the interface has no bulk IN endpoint")
    }

    func clearHalt(_ direction: LinkError.Direction) throws(LinkError) {
        if gone { throw .deviceGone }
    }
}
