/// FAT's names: the 11-byte 8.3 form (in the volume's OEM code page, with the NT case flags)
/// and the checksum that ties a VFAT long name to it.
enum FATName {
    /// A name decoded, and whether its bytes were not text in the code page asked for (it is
    /// then shown in code page 437, where every byte is a character, and the caller says so).
    struct Decoded {
        var text: String
        var notInCodePage: Bool
    }

    /// The 8.3 name of a directory entry: base and extension trimmed of padding and joined
    /// with a dot when there is an extension. `caseFlags` is the entry's NT byte (offset 12):
    /// 0x08 lower-cases the base, 0x10 the extension, as Windows NT writes them.
    static func shortName(_ raw: ArraySlice<UInt8>, caseFlags: UInt8, codePage: ShortNameCodePage = .cp437) -> Decoded {
        var bytes = Array(raw)
        // 0x05 stands for a real 0xE5 first byte (0xE5 itself marks a deleted entry; it is
        // also a GBK lead byte, which is why the escape exists).
        if bytes.first == 0x05 { bytes[0] = 0xE5 }
        let base = decode(bytes[0 ..< 8].trimmingSpaces(), codePage)
        let ext = decode(bytes[8 ..< 11].trimmingSpaces(), codePage)
        var baseText = base.text, extText = ext.text
        if caseFlags & 0x08 != 0 { baseText = baseText.lowercased() }
        if caseFlags & 0x10 != 0 { extText = extText.lowercased() }
        return Decoded(text: extText.isEmpty ? baseText : baseText + "." + extText,
                       notInCodePage: base.notInCodePage || ext.notInCodePage)
    }

    /// A volume label's 11 bytes, trimmed; nil when blank or mkfs's "NO NAME" placeholder.
    static func label(_ raw: [UInt8], codePage: ShortNameCodePage = .cp437) -> String? {
        let text = decode(raw[0 ..< 11].trimmingSpaces(), codePage).text
        return text.isEmpty || text == "NO NAME" ? nil : text
    }

    /// The checksum of the 11 raw name bytes that each of its long-name entries repeats.
    static func checksum(_ raw: ArraySlice<UInt8>) -> UInt8 {
        var sum: UInt8 = 0
        for byte in raw { sum = (sum & 1) << 7 &+ (sum >> 1) &+ byte }
        return sum
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, _ codePage: ShortNameCodePage) -> Decoded {
        let decoded = codePage.decode(bytes)
        var text = ""
        for scalar in decoded ?? ShortNameCodePage.cp437.decode(bytes) ?? [] {
            // Control characters and the path separators cannot come from a real name; they
            // are shown as U+FFFD so a path never gains a component from one. Decoded first:
            // in GBK a 0x5C byte may be the second half of a character.
            text.unicodeScalars.append(scalar.value < 0x20 || scalar == "/" || scalar == "\\" ? "\u{FFFD}" : scalar)
        }
        return Decoded(text: text, notInCodePage: decoded == nil)
    }
}

private extension ArraySlice where Element == UInt8 {
    func trimmingSpaces() -> ArraySlice<UInt8> {
        var end = endIndex
        while end > startIndex, self[end - 1] == 0x20 { end -= 1 }
        return self[startIndex ..< end]
    }
}
