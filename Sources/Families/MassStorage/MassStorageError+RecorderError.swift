import MassStorageProtocol
import RecorderHAL

extension MassStorageError {
    /// The family's name in device refusals.
    public static let family = "usb-mass-storage"

    /// The error in the HAL's terms, for the ingest engine: a lost device or an unusable
    /// transport is a lost link (the dock ends interrupted); a refused command is the device's
    /// refusal, coded `senseKey << 16 | ASC << 8 | ASCQ`; a broken status after a successful
    /// reset recovery is a protocol violation (the link itself is back in step).
    public var recorderError: RecorderError {
        let reasonInHAL: RecorderError.Reason
        switch (reason, recovery) {
        case (_, .resetFailed(let e)), (.transportUnusable(let e), _):
            reasonInHAL = e == .deviceGone ? .link(.deviceGone) : .framing(description)
        case (.link(let e), _):
            reasonInHAL = .link(e)
        case (.invalidStatus, _), (.statusNotMeaningful, _), (.phaseError, _), (.shortData, _):
            reasonInHAL = .protocolViolation(description)
        case (.commandFailed(let sense), _):
            reasonInHAL = .device(Self.refusal(sense, name: "CHECK CONDITION", message: description))
        case (.mediumError(_, let sense), _), (.mediumNotPresent(let sense), _), (.mediumChanged(let sense), _),
             (.unitAttentionPersisted(let sense, _), _):
            reasonInHAL = .device(Self.refusal(sense, name: sense.senseKey.description, message: description))
        case (.notReady(let sense, _), _):
            reasonInHAL = .device(Self.refusal(sense, name: "NOT READY", message: description))
        case (.malformedReply(let e), _):
            reasonInHAL = .malformedReply(e.description)
        case (.notABlockDevice(let s), _):
            reasonInHAL = .unsupported(s)
        case (.outOfRange, _):
            reasonInHAL = .protocolViolation(description)
        case (.cancelled, _):
            reasonInHAL = .cancelled
        }
        return RecorderError(reasonInHAL)
    }

    private static func refusal(_ sense: SenseData?, name: String, message: String) -> DeviceRefusal {
        let code = sense.map { Int($0.senseKey.rawValue) << 16 | Int($0.asc) << 8 | Int($0.ascq) } ?? 0
        return DeviceRefusal(family: family, code: code, name: name, value: UInt32(truncatingIfNeeded: sense?.information ?? 0),
                             valueMeaning: sense?.information.map { "block \($0)" } ?? "", message: message)
    }
}
