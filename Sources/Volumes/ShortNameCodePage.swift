#if canImport(Glibc)
import Glibc
#endif

/// The OEM code page a FAT volume's 8.3 names and labels are written in. The volume does not
/// say which: it is the writer's setting (DOS's and Windows' OEM code page, a camera's
/// firmware). Long (VFAT) names are UTF-16 and need none.
///
/// - `cp437`: IBM PC, the FAT specification's example and what Linux and The Sleuth Kit assume;
///   every byte is a character, so nothing can fail.
/// - `cp936`: GBK, the OEM code page of Simplified Chinese Windows and of recorders whose
///   firmware writes Chinese 8.3 names without long names. One or two bytes per character (a
///   lead byte 0x81…0xFE, then a trail byte that may be 0x40…0x7E, so "\" can be half of a
///   character and is never taken as a separator before decoding).
///
/// Decoding is a pure function of the bytes; cp936 goes through the C library's iconv
/// (glibc's CP936 converter), which holds no state between calls.
public enum ShortNameCodePage: String, Sendable, Hashable, CaseIterable {
    case cp437
    case cp936

    /// The characters of `bytes`, or nil when they are not text in this code page (a lead
    /// byte without its trail byte, a pair GBK does not define). cp437 never fails.
    func decode(_ bytes: ArraySlice<UInt8>) -> [Unicode.Scalar]? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return bytes.map { Unicode.Scalar($0) } }
        switch self {
        case .cp437: return bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : Self.codePage437High[Int($0 - 0x80)] }
        case .cp936: return Self.iconvDecode(bytes, from: "CP936")
        }
    }

    /// Code page 437's upper half.
    private static let codePage437High: [Unicode.Scalar] = Array((
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
        + "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}").unicodeScalars)

    /// `bytes` converted by iconv to UTF-32LE, whole or not at all.
    private static func iconvDecode(_ bytes: ArraySlice<UInt8>, from encoding: String) -> [Unicode.Scalar]? {
        let converter = iconv_open("UTF-32LE", encoding)
        guard let converter, Int(bitPattern: converter) != -1 else { return nil }
        defer { iconv_close(converter) }
        var input = Array(bytes)
        var output = [UInt8](repeating: 0, count: input.count * 4)
        let produced: Int? = input.withUnsafeMutableBytes { inRaw in
            output.withUnsafeMutableBytes { outRaw in
                var inPointer: UnsafeMutablePointer<CChar>? = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inRaw.count
                var outPointer: UnsafeMutablePointer<CChar>? = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outRaw.count
                // -1 with EILSEQ (not GBK) or EINVAL (a lead byte at the end): not text.
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else { return nil }
                return outRaw.count - outLeft
            }
        }
        guard let produced, produced % 4 == 0 else { return nil }
        var scalars: [Unicode.Scalar] = []
        for i in stride(from: 0, to: produced, by: 4) {
            let value = UInt32(output[i]) | UInt32(output[i + 1]) << 8 | UInt32(output[i + 2]) << 16 | UInt32(output[i + 3]) << 24
            guard let scalar = Unicode.Scalar(value) else { return nil }
            scalars.append(scalar)
        }
        return scalars
    }
}
