/// Why an operation on a recorder failed, with the context each layer added on the way up:
/// `file 12 at offset 1048576: READ tag 40: bulk IN timed out after 3000 ms`.
public struct RecorderError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable {
        /// The transport failed.
        case link(LinkError)
        /// No reply within the request's deadline.
        case timedOut(milliseconds: Int)
        /// The device refused the request, in its family's terms.
        case device(DeviceRefusal)
        /// A reply payload was structurally wrong (the family's decoder says how).
        case malformedReply(String)
        /// The byte stream could not be framed; the link must be resynchronised.
        case framing(String)
        /// A reply failed its integrity check; a read re-reads the range.
        case corruptReply(String)
        /// The reply does not answer the request (wrong opcode, id, offset or length).
        case unexpectedReply(String)
        /// The device broke a rule of the protocol (a catalog that never ends, duplicate ids).
        case protocolViolation(String)
        /// The recorder's family cannot do this (see `RecorderCapabilities`).
        case unsupported(String)
        /// The waiting task was cancelled.
        case cancelled
    }

    public var reason: Reason
    /// Outermost first.
    public var context: [String]

    public init(_ reason: Reason, context: [String] = []) {
        self.reason = reason
        self.context = context
    }

    /// The same error with `outer` put in front of its context.
    public func context(_ outer: String) -> RecorderError {
        RecorderError(reason, context: [outer] + context)
    }

    /// The device's refusal, when the device refused the request.
    public var refusal: DeviceRefusal? {
        if case .device(let refusal) = reason { return refusal }
        return nil
    }

    /// True when the device is gone: the session ends and resumes on the next dock.
    public var isDeviceGone: Bool {
        if case .link(.deviceGone) = reason { return true }
        return false
    }

    /// True when the conversation itself is lost: the transport failed (unplugged, closed,
    /// stalled, an I/O error) or the byte stream fell out of step, so no later request on this
    /// link can be trusted to arrive or to be answered. Such an error says nothing about any
    /// recording: the dock ends as interrupted and the next dock continues it.
    public var isLinkLost: Bool {
        switch reason {
        case .link, .framing: return true
        default: return false
        }
    }

    public var description: String {
        let what: String
        switch reason {
        case .link(let e): what = e.description
        case .timedOut(let ms): what = "no reply within \(ms) ms"
        case .device(let refusal): what = "device answered \(refusal)"
        case .malformedReply(let e): what = "malformed reply: \(e)"
        case .framing(let e): what = "link out of step: \(e)"
        case .corruptReply(let e): what = "corrupt reply: \(e)"
        case .unexpectedReply(let s): what = "unexpected reply: \(s)"
        case .protocolViolation(let s): what = "protocol violation: \(s)"
        case .unsupported(let s): what = "not supported by this recorder: \(s)"
        case .cancelled: what = "cancelled"
        }
        return (context + [what]).joined(separator: ": ")
    }
}

/// A device's refusal of a request, in its family's own terms. The ingest engine does not
/// interpret the code: it records the refusal, and families map their codes for callers that
/// need them (protocol v1's `RecorderError.deviceStatus`).
public struct DeviceRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The driver whose family the code belongs to ("zfy-bulk-v1").
    public var family: String
    /// The family's status code (protocol v1: the reply's status).
    public var code: Int
    /// The family's name for the code ("PASSWORD_WRONG").
    public var name: String
    /// A number whose meaning the code gives (attempts left, seconds locked, milliseconds to wait).
    public var value: UInt32
    /// `value` said for a person ("3 attempts left before lockout"), or empty when it means nothing.
    public var valueMeaning: String
    /// The device's own words, or empty.
    public var message: String

    public init(family: String, code: Int, name: String, value: UInt32 = 0, valueMeaning: String = "", message: String = "") {
        self.family = family
        self.code = code
        self.name = name
        self.value = value
        self.valueMeaning = valueMeaning
        self.message = message
    }

    /// `PASSWORD_WRONG (3 attempts left before lockout): bad password`.
    public var description: String {
        name + (valueMeaning.isEmpty ? "" : " (\(valueMeaning))") + (message.isEmpty ? "" : ": \(message)")
    }
}
