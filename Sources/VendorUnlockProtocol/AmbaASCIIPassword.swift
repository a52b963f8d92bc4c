/// A password amba-ascii's `@Gdv` and `@ATH` commands can carry: exactly 8 characters of
/// visible ASCII (0x21...0x7E) other than `;`, `#` and `@`.
///
/// Why exactly 8: the commands' length field is `8` (`@Gdv;8;<password>;#`), as in every
/// published exchange; a password of another length would make the command lie about its own
/// field. Why not `;`, `#`, `@`: they delimit the command (fields, end, start), so a password
/// holding one would be read as another command by the device. Space and control characters
/// are refused as well: devices trim them.
///
/// Guarantees: printing, interpolating, dumping or mirroring the value never shows the password.
public struct AmbaASCIIPassword: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The password's bytes, for the command only.
    let bytes: [UInt8]

    /// The number of characters the commands carry.
    public static let length = 8
    /// What the error says is allowed.
    static let allowed = "visible ASCII 0x21...0x7E except ; # @"

    /// Checks `text` against what the commands can carry.
    ///
    /// - Throws: `VendorPasswordError` (empty, not 8 characters, or a character the commands
    ///   cannot carry), which never holds the password.
    public init(_ text: String) throws(VendorPasswordError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty(family: AmbaASCII.family) }
        guard bytes.allSatisfy({ isVisibleASCII($0) && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "@") }) else {
            throw .characterNotCarried(family: AmbaASCII.family, allowed: Self.allowed)
        }
        guard bytes.count == Self.length else { throw .wrongLength(family: AmbaASCII.family, bytes: bytes.count, required: Self.length) }
        self.bytes = bytes
    }

    /// Whether `text`, something the device said after it was sent the password (its `@Gdv`
    /// id), gives the password back: holds it whole, or is itself four or more of its
    /// characters in a row. A hostile device could answer with the password as its "id" to get
    /// it into the audit log, the custody record and the bag's name; such an answer is refused,
    /// never quoted.
    public func isEchoed(in text: String) -> Bool {
        let said = Array(text.utf8)
        if said.count >= bytes.count, (0 ... said.count - bytes.count).contains(where: { said[$0 ..< $0 + bytes.count].elementsEqual(bytes) }) {
            return true
        }
        guard said.count >= 4, said.count <= bytes.count else { return false }
        return (0 ... bytes.count - said.count).contains { bytes[$0 ..< $0 + said.count].elementsEqual(said) }
    }

    public var description: String { "<amba-ascii password withheld>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
