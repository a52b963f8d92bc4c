import Foundation

/// The Sleuth Kit's view of a FAT or exFAT volume in an image, the independent reader the
/// tests compare with.
public enum SleuthKit {
    /// Regular, allocated files by path ("a/b/c") with their TSK inode numbers, from
    /// `fls -r -p -u`; the volume label and GUID entries and TSK's virtual files ($MBR, $FAT1,
    /// $ALLOC_BITMAP, $UPCASE_TABLE, $OrphanFiles…) left out.
    public static func files(image: URL, sector: UInt64) throws -> [String: String] {
        let result = try run("/usr/bin/fls", ["-r", "-p", "-u", "-o", String(sector), image.path])
        guard result.status == 0 else { throw Failure("fls: \(result.errorOutput)") }
        var files: [String: String] = [:]
        for line in result.output.split(separator: "\n") where line.hasPrefix("r/r ") {
            guard let tab = line.firstIndex(of: "\t") else { continue }
            let path = String(line[line.index(after: tab)...])
            if path.hasPrefix("$") || path.hasSuffix("(Volume Label Entry)") || path.hasSuffix("(Volume GUID Entry)") { continue }
            let inode = line.dropFirst(4).prefix { $0 != ":" }
            files[path] = String(inode)
        }
        return files
    }

    /// The SHA-256 (hex) of the file's bytes as `icat` writes them.
    public static func sha256(image: URL, sector: UInt64, inode: String) throws -> String {
        let result = try run("/bin/bash", ["-c", "set -o pipefail; /usr/bin/icat -o \(sector) '\(image.path)' \(inode) | sha256sum"])
        guard result.status == 0 else { throw Failure("icat: \(result.errorOutput)") }
        return String(result.output.prefix(64))
    }

    /// The file system sectors `istat` lists for the file, in file order.
    public static func sectors(image: URL, sector: UInt64, inode: String) throws -> [UInt64] {
        let result = try run("/usr/bin/istat", ["-o", String(sector), image.path, inode])
        guard result.status == 0, let range = result.output.range(of: "Sectors:\n") else { throw Failure("istat: \(result.errorOutput)") }
        // Trailing zeros pad the last line.
        var list = result.output[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt64($0) }
        while list.last == 0 { list.removeLast() }
        return list
    }

    /// The "Written" and "Created" times `istat` shows ("YYYY-MM-DD hh:mm:ss"), read as UTC
    /// so that TSK shows the fields as stored (FAT keeps no zone).
    public static func times(image: URL, sector: UInt64, inode: String) throws -> (written: String?, created: String?) {
        let result = try run("/usr/bin/istat", ["-o", String(sector), image.path, inode], environment: ["TZ": "UTC"])
        guard result.status == 0 else { throw Failure("istat: \(result.errorOutput)") }
        func field(_ name: String) -> String? {
            guard let line = result.output.split(separator: "\n").first(where: { $0.hasPrefix(name + ":\t") }) else { return nil }
            return String(line.dropFirst(name.count + 2).prefix(19))
        }
        return (field("Written"), field("Created"))
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}

public func sha256(_ bytes: [UInt8]) throws -> String {
    let result = try run("/usr/bin/sha256sum", ["-"], input: Data(bytes))
    return String(result.output.prefix(64))
}
