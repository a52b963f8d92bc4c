/// Why a configured password cannot be carried by a family's unlock command. Raised before
/// anything is sent: a password is refused whole, never truncated or escaped, because a device
/// given a different password than the one configured counts it as a wrong attempt (and may
/// lock or wipe itself after a few).
///
/// Guarantees: no case holds the password or any character of it, so the description can go
/// to any log.
public enum VendorPasswordError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The password is empty.
    case empty(family: String)
    /// The password is `bytes` long (UTF-8) and the family's command has room for `room`.
    case tooLong(family: String, bytes: Int, room: Int)
    /// The family's command carries exactly `required` characters; the password has `bytes`.
    case wrongLength(family: String, bytes: Int, required: Int)
    /// The password holds a character the family's command cannot carry; `allowed` says which
    /// characters it can.
    case characterNotCarried(family: String, allowed: String)

    public var description: String {
        switch self {
        case .empty(let family):
            "\(family) password is empty"
        case .tooLong(let family, let bytes, let room):
            "\(family) password of \(bytes) bytes does not fit: the login packet has room for \(room)"
        case .wrongLength(let family, let bytes, let required):
            "\(family) password has \(bytes) characters: its commands carry exactly \(required)"
        case .characterNotCarried(let family, let allowed):
            "\(family) password holds a character its commands cannot carry (allowed: \(allowed))"
        }
    }
}

/// Printable ASCII without the space (0x21...0x7E).
@inline(__always)
func isVisibleASCII(_ byte: UInt8) -> Bool { (0x21...0x7E).contains(byte) }
