/// Reading amba-ascii's replies: one bulk IN transfer each, at most 64 bytes, in ASCII.
///
/// Padding a device may add is not part of a reply: trailing NUL, tab, CR, LF and space bytes,
/// and leading spaces, are dropped before a reply is read. What each reply means:
/// - `Ver`: a reply containing `Ver;OK` says the device is in its vendor mode; an empty one, or
///   one containing `ERROR`, says it is already in storage mode.
/// - `Gdv`: `@Gdv;…;<device id>#`: the fields before the first `#` split by `;`, at least three,
///   the id the last (checked as `AmbaDeviceId`); nothing may follow the `#`. A reply containing
///   `ERROR` is the password refused (`Ver` said the device is in vendor mode, so it cannot mean
///   storage mode here); an empty one is an error (the family always answers `Gdv`).
/// - `Sdt`, `Stm`, `ATH`: a reply containing `ERROR` is a refusal; anything else, an empty reply
///   included, is taken as accepted (the published tools do not read these replies).
public enum AmbaASCIIReply {
    /// The longest reply the family sends.
    public static let maximumLength = 64
    /// Bytes a host asks for in the bulk IN transfer of a reply: one high-speed packet, more
    /// than a reply may have, so that an over-long reply is seen whole and refused rather than
    /// cut to a length that would pass.
    public static let readLength = 512

    /// What the `Ver` reply says.
    public enum VersionAnswer: Hashable, Sendable {
        /// `Ver;OK`: the device is in vendor mode and takes the other commands.
        case vendorMode
        /// Empty, or `ERROR`: the device is already in storage mode.
        case storageMode
    }

    /// What the `Gdv` reply says.
    public enum DeviceIdAnswer: Hashable, Sendable {
        case deviceId(AmbaDeviceId)
        /// `ERROR`: the password was refused.
        case passwordRefused
    }

    /// What the reply to `Sdt`, `Stm` or `ATH` says.
    public enum Acknowledgement: Hashable, Sendable {
        case accepted
        case refused
    }

    /// Reads the reply to `@Ver`. It is quoted in an error (at most 64 bytes, escaped): it comes
    /// before any password is sent.
    ///
    /// - Throws: `VendorReplyError.tooLong`, or `.unexpected` for a reply that says neither.
    public static func version(_ reply: [UInt8]) throws(VendorReplyError) -> VersionAnswer {
        let text = try trimmed(reply, command: "Ver")
        if text.isEmpty || contains(text, "ERROR") { return .storageMode }
        if contains(text, "Ver;OK") { return .vendorMode }
        throw .unexpected(reply: "Ver", what: "no Ver;OK in \"\(escaped(text))\"")
    }

    /// Reads the reply to `@Gdv`.
    ///
    /// - Throws: `VendorReplyError`: `.tooLong`, `.empty`, `.unexpected` (not `@Gdv;…;id#`),
    ///   `.badDeviceId`. None quotes the reply.
    public static func deviceId(_ reply: [UInt8]) throws(VendorReplyError) -> DeviceIdAnswer {
        let text = try trimmed(reply, command: "Gdv")
        if text.isEmpty { throw .empty(reply: "Gdv") }
        if contains(text, "ERROR") { return .passwordRefused }
        guard text.starts(with: Array("@Gdv;".utf8)) else {
            throw .unexpected(reply: "Gdv", what: "does not begin with @Gdv;")
        }
        guard let end = text.firstIndex(of: UInt8(ascii: "#")) else {
            throw .unexpected(reply: "Gdv", what: "no # ends it")
        }
        guard end == text.endIndex - 1 else {
            throw .unexpected(reply: "Gdv", what: "\(text.endIndex - 1 - end) bytes follow the #")
        }
        let fields = text[..<end].split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        guard fields.count >= 3, let id = fields.last else {
            throw .unexpected(reply: "Gdv", what: "\(fields.count) fields before the #, at least 3 expected")
        }
        return .deviceId(try AmbaDeviceId(bytes: id))
    }

    /// Reads the reply to `@Sdt`, `@Stm` or `@ATH` (`command` names it).
    ///
    /// - Throws: `VendorReplyError.tooLong`.
    public static func acknowledgement(_ reply: [UInt8], command: String) throws(VendorReplyError) -> Acknowledgement {
        contains(try trimmed(reply, command: command), "ERROR") ? .refused : .accepted
    }

    /// The reply without its padding, once its length is checked.
    private static func trimmed(_ reply: [UInt8], command: String) throws(VendorReplyError) -> ArraySlice<UInt8> {
        guard reply.count <= maximumLength else { throw .tooLong(reply: command, received: reply.count, limit: maximumLength) }
        var text = reply[...]
        while let last = text.last, [0x00, 0x09, 0x0A, 0x0D, 0x20].contains(last) { text = text.dropLast() }
        while let first = text.first, first == 0x20 { text = text.dropFirst() }
        return text
    }

    private static func contains(_ text: ArraySlice<UInt8>, _ word: String) -> Bool {
        let needle = Array(word.utf8)
        guard text.count >= needle.count else { return false }
        var i = text.startIndex
        while i + needle.count <= text.endIndex {
            if text[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// Visible ASCII as is, every other byte as \xNN.
    static func escaped(_ text: ArraySlice<UInt8>) -> String {
        var out = ""
        for b in text {
            if (0x20...0x7E).contains(b) && b != UInt8(ascii: "\\") && b != UInt8(ascii: "\"") {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = String(b, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
