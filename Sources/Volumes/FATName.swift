/// FAT's names: the 11-byte 8.3 form (OEM code page 437, with the NT case flags) and the
/// checksum that ties a VFAT long name to it.
enum FATName {
    /// The 8.3 name of a directory entry: base and extension trimmed of padding and joined
    /// with a dot when there is an extension. `caseFlags` is the entry's NT byte (offset 12):
    /// 0x08 lower-cases the base, 0x10 the extension, as Windows NT writes them.
    static func shortName(_ raw: ArraySlice<UInt8>, caseFlags: UInt8) -> String {
        var bytes = Array(raw)
        // 0x05 stands for a real 0xE5 first byte (0xE5 itself marks a deleted entry).
        if bytes.first == 0x05 { bytes[0] = 0xE5 }
        var base = decode(bytes[0 ..< 8].trimmingSpaces())
        var ext = decode(bytes[8 ..< 11].trimmingSpaces())
        if caseFlags & 0x08 != 0 { base = base.lowercased() }
        if caseFlags & 0x10 != 0 { ext = ext.lowercased() }
        return ext.isEmpty ? base : base + "." + ext
    }

    /// A volume label's 11 bytes, trimmed; nil when blank or mkfs's "NO NAME" placeholder.
    static func label(_ raw: [UInt8]) -> String? {
        let text = decode(raw[0 ..< 11].trimmingSpaces())
        return text.isEmpty || text == "NO NAME" ? nil : text
    }

    /// The checksum of the 11 raw name bytes that each of its long-name entries repeats.
    static func checksum(_ raw: ArraySlice<UInt8>) -> UInt8 {
        var sum: UInt8 = 0
        for byte in raw { sum = (sum & 1) << 7 &+ (sum >> 1) &+ byte }
        return sum
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            if byte < 0x80 {
                // Control characters and the path separator cannot come from a real name; they
                // are shown as U+FFFD so a path never gains a component from one.
                text.unicodeScalars.append(byte < 0x20 || byte == 0x2F || byte == 0x5C ? "\u{FFFD}" : Unicode.Scalar(byte))
            } else {
                text.unicodeScalars.append(codePage437High[Int(byte - 0x80)])
            }
        }
        return text
    }

    /// Code page 437's upper half, the OEM code page of FAT's short names by default.
    private static let codePage437High: [Unicode.Scalar] = Array((
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
        + "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}").unicodeScalars)
}

private extension ArraySlice where Element == UInt8 {
    func trimmingSpaces() -> ArraySlice<UInt8> {
        var end = endIndex
        while end > startIndex, self[end - 1] == 0x20 { end -= 1 }
        return self[startIndex ..< end]
    }
}
