/// The status code of a reply (0 in requests). An open set: a device may send a code this
/// version does not know, and it is kept and shown by number rather than rejected.
///
/// The codes mirror what the public-security recorder SDKs return (connect failed, password
/// wrong, locked out, time set failed, ...), so a vendor can map its firmware's results 1:1.
public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The request succeeded; the payload is the operation's reply.
    public static let ok = Status(rawValue: 0x0000)
    /// The device cannot open a session now (storage not mounted, in USB mass-storage mode).
    public static let connectFailed = Status(rawValue: 0x0001)
    /// AUTH_RESPONSE did not match; the detail value is the attempts left before lockout.
    public static let passwordWrong = Status(rawValue: 0x0002)
    /// Too many wrong passwords; the detail value is the seconds until the device accepts another.
    public static let lockedOut = Status(rawValue: 0x0003)
    /// The operation needs a successful AUTH_RESPONSE first.
    public static let authRequired = Status(rawValue: 0x0004)
    /// CLOCK_SET was refused or the real-time clock could not be written.
    public static let timeSetFailed = Status(rawValue: 0x0005)
    /// The device is occupied (too many requests in flight, recording); the detail value is a
    /// suggested wait in milliseconds.
    public static let busy = Status(rawValue: 0x0006)
    /// No recording has this id.
    public static let noSuchRecording = Status(rawValue: 0x0007)
    /// The offset or length of a READ lies outside the recording, or a CATALOG cursor is unknown.
    public static let rangeInvalid = Status(rawValue: 0x0008)
    /// RELEASE named a SHA-256 that differs from the device's own; nothing was freed.
    public static let hashMismatch = Status(rawValue: 0x0009)
    /// The request payload could not be parsed.
    public static let badRequest = Status(rawValue: 0x000A)
    /// The opcode or protocol version is not supported by this device.
    public static let unsupported = Status(rawValue: 0x000B)
    /// The device's storage failed while serving the request.
    public static let storageError = Status(rawValue: 0x000C)
    /// Any other device-side failure.
    public static let internalError = Status(rawValue: 0x000D)

    private static let names: [UInt16: String] = [
        0x0000: "OK", 0x0001: "CONNECT_FAILED", 0x0002: "PASSWORD_WRONG", 0x0003: "LOCKED_OUT",
        0x0004: "AUTH_REQUIRED", 0x0005: "TIME_SET_FAILED", 0x0006: "BUSY",
        0x0007: "NO_SUCH_RECORDING", 0x0008: "RANGE_INVALID", 0x0009: "HASH_MISMATCH",
        0x000A: "BAD_REQUEST", 0x000B: "UNSUPPORTED", 0x000C: "STORAGE_ERROR",
        0x000D: "INTERNAL_ERROR",
    ]

    /// `PASSWORD_WRONG`, or `status 0x1234` for a code this version does not name.
    public var description: String {
        Status.names[rawValue] ?? "status 0x" + String(rawValue, radix: 16, uppercase: true)
    }
}
