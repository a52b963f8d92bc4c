/// Maps the paths a recorder lists in its catalog (raw, untrusted bytes) to safe relative paths
/// inside a bag's `data/` directory, such as `data/DCIM/100MEDIA/20261126_081502_0001.MP4`.
///
/// One sanitiser serves one bag: it remembers every path it has handed out so that no two
/// recordings of the bag get the same file, even after the bag is copied to a case-insensitive
/// file system.
///
/// Guarantees, for any input bytes whatsoever:
/// - the result starts with `data/` and never leaves it: no empty, `.` or `..` component, no
///   absolute path, no `\`; every component is a plain file or directory name;
/// - it is valid UTF-8 and contains no NUL, CR, LF, or any other control or format character,
///   no space, no component starting with `.` (no hidden files) and no component ending with
///   `.` (which NTFS through Win32 and exFAT would drop);
/// - at most `maxComponents` components below `data/`, each at most `maxComponentBytes` bytes
///   of UTF-8, and at most `maxPathBytes` bytes in all;
/// - it differs from every path handed out before by this sanitiser, compared component by
///   component as NTFS and exFAT compare names (trailing dots and spaces dropped, case
///   ignored), and with canonically equivalent Unicode (NFC and NFD) counting as equal, and no
///   path is both a file and a directory of another: files never collide on copy to APFS, HFS+,
///   NTFS, exFAT or ext4;
/// - the same sequence of calls on a new sanitiser gives the same sequence of results (so a
///   bag resumed after a restart gets the same paths by replaying its recordings in order).
///
/// The rules, in order: split on `/` and `\`; drop empty, `.` and `..` components (a path never
/// climbs, it just loses the climbing parts); in each component, invalid UTF-8, controls and
/// every character other than ASCII letters, digits, `.`, `_`, `-` and non-ASCII letters,
/// numbers and combining marks become `_`, and a leading or trailing `.` becomes `_`; components deeper
/// than `maxComponents` are joined into the last with `_`; a name too long is cut and marked
/// with `~` and 8 hex digits of the SHA-256 of its original bytes, keeping an extension of up
/// to 10 bytes; nothing left gives `recording-<id>`; a name already handed out gets
/// `~<id>` (then `~<id>-2`, `~<id>-3`, …) before its extension.
///
/// Windows reserved names (`CON.MP4`, `NUL`) are deliberately left alone: they are only
/// special to Windows' Win32 layer, and a bag's paths are recorded in its manifest anyway.
/// The recorder's own path is kept, byte for byte, in the custody record.
public struct PathSanitizer: Sendable {
    /// The directory every path is inside, with its slash.
    public static let root = "data/"
    /// The most bytes of UTF-8 in one component. Directories of deep paths may be held
    /// shorter so that the whole path fits `maxPathBytes`.
    public static let maxComponentBytes = 120
    /// The most components below `data/`.
    public static let maxComponents = 16
    /// The most bytes of UTF-8 in a whole path, `data/` included.
    public static let maxPathBytes = 1024

    /// Collision keys of the files handed out, without `data/`.
    private var files: Set<String> = []
    /// Collision keys of every directory those files are in.
    private var directories: Set<String> = []
    /// The last suffix attempt used for a clashing name and id, so that a device listing the
    /// same name ten thousand times costs ten thousand tries, not fifty million.
    private var attempts: [String: Int] = [:]

    /// A sanitiser that has handed out nothing yet: use one per bag.
    public init() {}

    /// The bag path for the recording the device lists as `devicePath`, different from every
    /// path this sanitiser has returned before. `recordingId` names an empty path and tells
    /// colliding names apart; it need not be unique (the device's word is not trusted).
    public mutating func bagPath(for devicePath: [UInt8], recordingId: UInt32) -> String {
        var parts = Self.components(of: devicePath)
        if parts.isEmpty {
            let name = "recording-\(recordingId)"
            parts = [SafeComponent(raw: Array(name.utf8), clean: name)]
        }
        let last = parts.count - 1
        let directoryLimit = Self.directoryLimit(count: last)
        var suffixes = [String](repeating: "", count: parts.count)
        func render(_ i: Int) -> String {
            parts[i].fitted(suffix: suffixes[i], limit: i == last ? Self.maxComponentBytes : directoryLimit)
        }
        var names = parts.indices.map(render)

        // A directory cannot have the name of a file already handed out (nor can a file that of
        // a directory): rename the first clashing directory, then look deeper.
        for i in 0..<last where files.contains(Self.key(names[...i])) {
            let memo = "d\(recordingId)/" + Self.key(names[...i])
            var attempt = attempts[memo, default: 0]
            repeat {
                attempt += 1
                suffixes[i] = Self.suffix(recordingId, attempt)
                names[i] = render(i)
            } while files.contains(Self.key(names[...i]))
            attempts[memo] = attempt
        }
        let key = Self.key(names[...])
        if files.contains(key) || directories.contains(key) {
            // Earlier attempts for this name and id were handed out already: skip them.
            let memo = "f\(recordingId)/" + key
            var attempt = attempts[memo, default: 0]
            repeat {
                attempt += 1
                suffixes[last] = Self.suffix(recordingId, attempt)
                names[last] = render(last)
            } while files.contains(Self.key(names[...])) || directories.contains(Self.key(names[...]))
            attempts[memo] = attempt
        }

        files.insert(Self.key(names[...]))
        for i in 0..<last { directories.insert(Self.key(names[...i])) }
        return Self.root + names.joined(separator: "/")
    }

    /// Marks a path handed out earlier (by a sanitiser of the same bag before a restart) as
    /// taken, so that later paths avoid it. `bagPath` must be one this type returned.
    public mutating func reserve(_ bagPath: String) {
        guard bagPath.hasPrefix(Self.root) else { return }
        let names = bagPath.dropFirst(Self.root.count).split(separator: "/").map(String.init)
        guard !names.isEmpty else { return }
        files.insert(Self.key(names[...]))
        for i in 0..<(names.count - 1) { directories.insert(Self.key(names[...i])) }
    }

    /// The device path cut into cleaned components, nothing that climbs or is empty, at most
    /// `maxComponents` of them.
    static func components(of path: [UInt8]) -> [SafeComponent] {
        let raws = path.split(omittingEmptySubsequences: true) { $0 == 0x2F || $0 == 0x5C }
            .filter { $0 != [0x2E] && $0 != [0x2E, 0x2E] }
        var parts = raws.map { SafeComponent(raw: Array($0)) }
        if parts.count > maxComponents {
            let deep = parts[(maxComponents - 1)...]
            // The joined component's "original bytes" are that tail of the device path.
            let raw = Array(raws[(maxComponents - 1)...].joined(separator: [0x2F]))
            let joined = SafeComponent(raw: raw, clean: deep.map(\.clean).joined(separator: "_"))
            parts.replaceSubrange((maxComponents - 1)..., with: [joined])
        }
        return parts
    }

    /// The byte limit for each directory when there are `count` of them: 120, or less for deep
    /// paths so that `data/` + every directory at its limit + a 120-byte file name fits in
    /// `maxPathBytes`. Counting every directory at its limit leaves room for a collision suffix
    /// on any of them.
    static func directoryLimit(count: Int) -> Int {
        guard count > 0 else { return maxComponentBytes }
        let room = maxPathBytes - root.utf8.count - maxComponentBytes
        return min(maxComponentBytes, room / count - 1)
    }

    /// `~7` on the first collision, then `~7-2`, `~7-3`, …
    static func suffix(_ id: UInt32, _ attempt: Int) -> String {
        attempt == 1 ? "~\(id)" : "~\(id)-\(attempt)"
    }

    /// What two paths must differ in to be distinct files everywhere, component by component:
    /// trailing dots and spaces dropped, as NTFS (through Win32) and exFAT drop them, then lower-
    /// and upper-cased, which folds more than any one file system does (`ß` meets `SS`, `ς` meets
    /// `Σ`, where NTFS and exFAT map each UTF-16 unit through an upcase table); Set membership
    /// compares Strings by canonical equivalence, which covers NFC against NFD.
    ///
    /// Names this sanitiser makes never end in a dot or space; the drop matters for paths
    /// `reserve` is given, which a session may hold from a version that still made them.
    /// Folding too much only costs an unneeded `~<id>`; folding too little would lose a file.
    static func key(_ names: ArraySlice<String>) -> String {
        names.map { name -> String in
            var kept = name.unicodeScalars[...]
            while let last = kept.last, last == "." || last == " " { kept = kept.dropLast() }
            return String(kept).lowercased().uppercased()
        }.joined(separator: "/")
    }
}
