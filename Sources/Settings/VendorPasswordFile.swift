import Foundation

/// The vendor families' admin password, read from its file (`vendor-password-file`).
///
/// Guarantees: the file is refused when it is not a regular file, when its group or others may
/// read or write it (mode 0600 or stricter: the password unlocks every recorder of the
/// fleet), when it is empty or longer than 4 KiB; the text is its first line without the line
/// ending. No error holds a byte of the file: they name the path, the mode, the length.
public enum VendorPasswordFile {
    /// The password in the file at `path`.
    ///
    /// - Throws: `ConfigError` naming the file and what is wrong with it.
    public static func read(_ path: String) throws(ConfigError) -> String {
        func refuse(_ reason: String) -> ConfigError {
            ConfigError(file: path, line: 0, key: "vendor-password-file", reason: "vendor-password-file \(reason)")
        }
        var st = stat()
        guard lstat(path, &st) == 0 else { throw refuse("cannot be read: \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw refuse("is not a regular file (a symbolic link or another kind)") }
        let mode = st.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw refuse("may be read or written by its group or others (mode \(String(mode, radix: 8))); make it 0600 (chmod 600) and owned by the service")
        }
        guard st.st_size <= 4096 else { throw refuse("is \(st.st_size) bytes; a password file holds one line (at most 4 KiB)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw refuse("cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw refuse("is not UTF-8") }
        // "\r\n" is one Character: the first line ends at any line break.
        let line = String(text.prefix { !$0.isNewline })
        guard !line.isEmpty else { throw refuse("is empty: its first line is the password") }
        return line
    }
}
