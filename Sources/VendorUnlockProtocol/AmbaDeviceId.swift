/// A device id as an amba-ascii recorder states it in its `@Gdv` reply, checked: 1 to 32
/// characters, each an ASCII letter, digit, `-` or `_`.
///
/// Why so narrow: the id names the recorder in the custody record, the audit log and the
/// kiosk's assignment table (serial → officer), and may end up in a file or object name; an
/// alphabet without `/`, `.`, spaces, quotes or control characters is safe in all of them, and
/// the published ids are letters and digits. 32 characters leave room for an IMEI (15) or a
/// chip id in hex (16 to 32).
public struct AmbaDeviceId: Hashable, Sendable, CustomStringConvertible {
    /// The id, as the device sent it (it passed the checks, so it is ASCII).
    public let value: String

    /// The most characters an id may have.
    public static let maximumLength = 32
    /// The alphabet, said for errors and docs.
    public static let alphabet = "A-Z a-z 0-9 - _"

    /// Checks `bytes`, the id field of a reply.
    ///
    /// - Throws: `VendorReplyError.badDeviceId` naming the length or the first position that is
    ///   wrong (never the bytes: the reply came after the password was sent).
    public init(bytes: ArraySlice<UInt8>) throws(VendorReplyError) {
        guard !bytes.isEmpty else { throw .badDeviceId(problem: "empty") }
        guard bytes.count <= Self.maximumLength else {
            throw .badDeviceId(problem: "\(bytes.count) characters, at most \(Self.maximumLength)")
        }
        for (i, b) in bytes.enumerated() where !Self.isIdCharacter(b) {
            throw .badDeviceId(problem: "character \(i + 1) of \(bytes.count) is outside \(Self.alphabet)")
        }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// Checks `text` as an id.
    public init(_ text: String) throws(VendorReplyError) {
        try self.init(bytes: Array(text.utf8)[...])
    }

    static func isIdCharacter(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }

    public var description: String { value }
}
