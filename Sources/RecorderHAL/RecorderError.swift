import RecorderProtocol

/// Why an operation on a recorder failed, with the context each layer added on the way up:
/// `file 12 at offset 1048576: READ tag 40: bulk IN timed out after 3000 ms`.
public struct RecorderError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable {
        /// The transport failed.
        case link(LinkError)
        /// No reply within the request's deadline.
        case timedOut(milliseconds: Int)
        /// The device answered with a status other than OK.
        case device(Status, ErrorDetail)
        /// A reply payload was structurally wrong.
        case malformedReply(MessageError)
        /// The byte stream could not be framed; the link must be resynchronised.
        case framing(FrameError)
        /// A reply failed its payload check; a READ re-reads the range.
        case corruptReply(FrameError)
        /// The reply does not answer the request (wrong opcode, id, offset or length).
        case unexpectedReply(String)
        /// The device broke a rule of the protocol (a catalog that never ends, duplicate ids).
        case protocolViolation(String)
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

    /// The device status, when the device refused the request.
    public var deviceStatus: Status? {
        if case .device(let status, _) = reason { return status }
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
        case .device(let status, let detail):
            var s = "device answered \(status)"
            switch status {
            case .passwordWrong: s += " (\(detail.value) attempts left before lockout)"
            case .lockedOut: s += " (locked for \(detail.value) s more)"
            case .busy: s += " (retry in \(detail.value) ms)"
            default: break
            }
            if !detail.message.isEmpty { s += ": \(detail.message)" }
            what = s
        case .malformedReply(let e): what = "malformed reply: \(e)"
        case .framing(let e): what = "link out of step: \(e)"
        case .corruptReply(let e): what = "corrupt reply: \(e)"
        case .unexpectedReply(let s): what = "unexpected reply: \(s)"
        case .protocolViolation(let s): what = "protocol violation: \(s)"
        case .cancelled: what = "cancelled"
        }
        return (context + [what]).joined(separator: ": ")
    }
}
