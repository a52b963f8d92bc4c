import GatewayCrypto

/// One component of a device path: the bytes the device sent and their cleaned form, before
/// any length limit. Internal to `PathSanitizer`.
struct SafeComponent: Sendable {
    /// The device's bytes for this component; what the `~hash` of a shortened name is taken of.
    var raw: [UInt8]
    /// Only characters `isKept` allows, never starting or ending with `.`; no length limit yet.
    var clean: String

    /// Longest extension (dot included) that survives shortening and suffixing.
    static let maxExtensionBytes = 10

    init(raw: [UInt8]) {
        self.raw = raw
        self.clean = SafeComponent.clean(raw)
    }

    init(raw: [UInt8], clean: String) {
        self.raw = raw
        self.clean = clean
    }

    /// `raw` as text with every character that is not safe replaced by `_`.
    ///
    /// Invalid UTF-8 is decoded first to U+FFFD, one per maximal ill-formed subsequence (the
    /// Unicode recommendation, and what `String(decoding:as:)` does), which then becomes `_`
    /// like any other symbol. A leading `.` becomes `_`, so no name is hidden and no name can be
    /// `.` or `..`. A trailing `.` becomes `_` too (a trailing space already has: spaces are
    /// never kept), so no name ends in a dot or a space: NTFS through Win32 and exFAT drop
    /// those, and `twin.` would be copied as `twin`, onto another file or away from its
    /// manifest line. The first and last characters never join a neighbouring `/` into one
    /// grapheme.
    static func clean(_ raw: [UInt8]) -> String {
        var out = String.UnicodeScalarView()
        for scalar in String(decoding: raw, as: UTF8.self).unicodeScalars {
            out.append(isKept(scalar) ? scalar : "_")
        }
        if out.first == "." { out.replaceSubrange(out.startIndex...out.startIndex, with: ["_"]) }
        if out.last == "." { out.replaceSubrange(out.index(before: out.endIndex)..., with: ["_"]) }
        // A combining mark at the start (or a "prepend" letter such as U+0D4E at the end) would
        // fuse with the neighbouring `/` into one Character, and code that splits a path on
        // Character "/" (Swift's `split(separator:)`) would no longer see the separator.
        while let first = out.first, ("/" + String(first)).first != "/" {
            out.replaceSubrange(out.startIndex...out.startIndex, with: ["_"])
        }
        while let last = out.last, (String(last) + "/").last != "/" {
            out.replaceSubrange(out.index(before: out.endIndex)..., with: ["_"])
        }
        return String(out)
    }

    /// ASCII letters, digits, `.`, `_` and `-`; beyond ASCII, letters, numbers and combining
    /// marks (so 执法, é written either way, and Indic or Thai names survive), except the
    /// invisible "default ignorable" ones that would let two names look the same.
    ///
    /// Everything else goes: controls, NUL, DEL, space, separators and slashes of every script,
    /// punctuation, symbols, format characters (bidi overrides), private use, unassigned.
    /// `~` is not kept either, so in a sanitised path it only ever marks a suffix this
    /// sanitiser added.
    static func isKept(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2E, 0x5F, 0x2D: return true
        case 0...0x7F: return false
        default: break
        }
        if s.properties.isDefaultIgnorableCodePoint { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber,
             .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }

    /// The cleaned name with `suffix` before its extension, at most `limit` bytes of UTF-8.
    ///
    /// A name that does not fit has its stem cut on a Unicode scalar boundary (never inside a
    /// UTF-8 sequence) and gains `~` and the first 8 hex digits of the SHA-256 of `raw`, so two
    /// long names that share a beginning still differ. The extension (from the last `.`,
    /// at most `maxExtensionBytes` with the dot) and the suffix are kept whole.
    func fitted(suffix: String = "", limit: Int) -> String {
        let (stem, ext) = SafeComponent.splitExtension(clean)
        if clean.utf8.count + suffix.utf8.count <= limit { return stem + suffix + ext }
        let tag = "~" + String(hexString(SHA256Hasher.hash(raw)).prefix(8))
        let room = limit - tag.utf8.count - suffix.utf8.count - ext.utf8.count
        // The limits PathSanitizer uses (58 bytes and up) always leave room; a negative room
        // would be a bug there, not something a device can cause.
        precondition(room >= 0, "component limit \(limit) too small for \(tag)\(suffix)\(ext)")
        return SafeComponent.prefix(stem, maxBytes: room) + tag + suffix + ext
    }

    /// (stem, extension): the extension starts at the last `.` that is not the first
    /// character, has at least one character after the dot and at most `maxExtensionBytes`
    /// bytes; otherwise it is empty and the stem is the whole name.
    static func splitExtension(_ name: String) -> (String, String) {
        let scalars = name.unicodeScalars
        guard let dot = scalars.lastIndex(of: "."), dot != scalars.startIndex else { return (name, "") }
        let ext = String(scalars[dot...])
        guard ext.utf8.count >= 2, ext.utf8.count <= maxExtensionBytes else { return (name, "") }
        return (String(scalars[..<dot]), ext)
    }

    /// The longest run of whole scalars from the start of `s` within `maxBytes` bytes of UTF-8.
    static func prefix(_ s: String, maxBytes: Int) -> String {
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in s.unicodeScalars {
            let size = UTF8.width(scalar)
            if used + size > maxBytes { break }
            out.append(scalar)
            used += size
        }
        return String(out)
    }
}
