import GatewayCrypto

/// The fixed parts of a BagIt 1.0 bag (RFC 8493): the declaration, the manifests and the
/// Payload-Oxum. Text only; writing the files is the evidence store's job.
///
/// Guarantees: every function here is deterministic, so the same payload always gives
/// byte-identical tag files (and so the same tag manifest and signature).
public enum BagIt {
    /// The exact contents of `bagit.txt`.
    public static let declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

    /// `bagit.txt`: the bag declaration.
    public static let declarationFileName = "bagit.txt"
    /// `bag-info.txt`: the metadata (`BagInfo.text()`).
    public static let bagInfoFileName = "bag-info.txt"
    /// `manifest-sha256.txt`: one line per payload file.
    public static let manifestFileName = "manifest-sha256.txt"
    /// `tagmanifest-sha256.txt`: one line per tag file (every file outside `data/` except
    /// itself).
    public static let tagManifestFileName = "tagmanifest-sha256.txt"

    /// A SHA-256 manifest: one line `<64 lowercase hex>  <path>\n` per entry, sorted by the
    /// bytes of the path (then of the digest), so the order never depends on the order the
    /// files were pulled in.
    ///
    /// Two spaces separate digest and path: RFC 8493 §2.1.3 allows one or more whitespace
    /// characters, and two is what `sha256sum` writes, so `sha256sum -c` reads the file too.
    /// Paths are written with `percentEncoded(_:)`. Each `sha256` must be 32 bytes (a
    /// programming error otherwise, so it traps). Paths must be distinct, which
    /// `PathSanitizer` guarantees; a repeated path would be written twice and the bag would
    /// not validate.
    public static func manifest(_ entries: [(path: String, sha256: [UInt8])]) -> String {
        var text = ""
        writeManifest(entries) { text += $0 }
        return text
    }

    /// `manifest(entries)` handed to `sink` one line at a time, in order, so that a manifest of
    /// a large catalog is never in memory whole, nor an array of all its lines (#11: at 10,000
    /// files they were 4.5 MB at the seal's peak). Same order, same bytes as `manifest`
    /// (BagItTests checks).
    public static func writeManifest(_ entries: [(path: String, sha256: [UInt8])], to sink: (String) -> Void) {
        for entry in entries {
            precondition(entry.sha256.count == 32, "SHA-256 of \(entry.path) is \(entry.sha256.count) bytes, not 32")
        }
        // A line sorts by its written path, then its digest. The written path is the path
        // itself unless it holds `%`, CR or LF (a sanitised bag path never does), so only those
        // are encoded ahead. Lower-case hex sorts as the bytes it spells, so the digests are
        // compared as bytes.
        var encoded: [Int: String] = [:]
        for i in entries.indices where entries[i].path.utf8.contains(where: { $0 == 0x25 || $0 == 0x0D || $0 == 0x0A }) {
            encoded[i] = percentEncoded(entries[i].path)
        }
        let order = entries.indices.sorted { a, b in
            let pa = encoded[a] ?? entries[a].path, pb = encoded[b] ?? entries[b].path
            if pa != pb { return pa.utf8.lexicographicallyPrecedes(pb.utf8) }
            return entries[a].sha256.lexicographicallyPrecedes(entries[b].sha256)
        }
        for i in order {
            sink("\(hexString(entries[i].sha256))  \(encoded[i] ?? entries[i].path)\n")
        }
    }

    /// `path` as RFC 8493 §2.1.3 wants it in a manifest: `%` as `%25`, CR as `%0D`, LF as
    /// `%0A` (so CRLF is `%0D%0A`), nothing else changed.
    ///
    /// Note: the Library of Congress `bagit` tool (1.9) decodes `%0D` and `%0A` but not `%25`,
    /// so it cannot find a payload file whose name has a `%`. Sanitised bag paths never
    /// contain `%`, CR or LF, so for them this is the identity.
    public static func percentEncoded(_ path: String) -> String {
        var out = ""
        out.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The Payload-Oxum value `<bytes>.<files>`: total payload octets and payload file count.
    /// `files` must not be negative.
    public static func payloadOxum(bytes: UInt64, files: Int) -> String {
        precondition(files >= 0, "negative payload file count \(files)")
        return "\(bytes).\(files)"
    }
}

extension BagIt {
    /// One line of a manifest: the digest and the path it covers.
    public struct ManifestLine: Hashable, Sendable {
        public var sha256: [UInt8]
        public var path: String

        /// A line covering `path` (decoded, relative to the bag) with its 32-byte SHA-256.
        public init(sha256: [UInt8], path: String) {
            self.sha256 = sha256
            self.path = path
        }
    }

    /// A manifest that is not as RFC 8493 §2.1.3 says: names the line and what is wrong.
    public struct ManifestError: Error, Hashable, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Parses a SHA-256 manifest (`<hex> <whitespace> <path>` per line), undoing the
    /// percent-encoding of `%`, CR and LF. Paths must be relative, without `.` or `..`
    /// components, and appear once.
    public static func parseManifest(_ text: String) throws(ManifestError) -> [ManifestLine] {
        var lines: [ManifestLine] = []
        var seen = Set<String>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw ManifestError(line: number, reason: "no space between digest and path")
            }
            let hex = String(line[..<space])
            let path = percentDecoded(String(line[space...].drop(while: { $0 == " " || $0 == "\t" })))
            guard hex.count == 64, let digest = bytes(fromHexDigits: hex) else {
                throw ManifestError(line: number, reason: "\"\(hex.prefix(70))\" is not a SHA-256 digest")
            }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.isEmpty, !path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw ManifestError(line: number, reason: "\"\(path)\" is not a plain relative path inside the bag")
            }
            guard seen.insert(path).inserted else {
                throw ManifestError(line: number, reason: "\"\(path)\" is listed twice")
            }
            lines.append(ManifestLine(sha256: digest, path: path))
        }
        return lines
    }

    /// Undoes `percentEncoded`: `%25`, `%0D`, `%0A` (either case); anything else is kept.
    public static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var out = ""
        var rest = Substring(text)
        while let i = rest.firstIndex(of: "%") {
            out += rest[..<i]
            let code = rest[i...].dropFirst().prefix(2).uppercased()
            switch code {
            case "25": out += "%"; rest = rest[i...].dropFirst(3)
            case "0D": out += "\r"; rest = rest[i...].dropFirst(3)
            case "0A": out += "\n"; rest = rest[i...].dropFirst(3)
            default: out += "%"; rest = rest[i...].dropFirst()
            }
        }
        return out + rest
    }

    private static func bytes(fromHexDigits hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            case 0x41...0x46: v = c - 0x41 + 10
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? out : nil
    }
}
