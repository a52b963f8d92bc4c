#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the gateway's key file could not be loaded or created. Every case names the file, and
/// `description` says what to do about it.
public enum GatewayKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The private key file's permission bits (`mode`, e.g. 0o644) give group or others access.
    /// The key is refused rather than tightened: someone may already have read it.
    case insecurePermissions(path: String, mode: UInt32)
    /// The path is a directory, device, socket or FIFO, not a regular file.
    case notARegularFile(path: String)
    /// The file is larger than any PEM key, so it is not the key.
    case fileTooLarge(path: String, size: Int64, limit: Int)
    /// The file does not hold a usable Ed25519 private key; `reason` says what was wrong.
    /// `publicKeyExists` tells whether its public key was ever published beside it: a key is
    /// published before it signs anything, so without one no bag can depend on this key.
    case invalidKey(path: String, reason: CryptoError, publicKeyExists: Bool)
    /// A new key for `path` could not be generated; nothing was written.
    case generationFailed(path: String, reason: CryptoError)
    /// The private key path ends in ".pub", so its public key would be written over it.
    case publicKeyPathCollides(path: String)
    /// A system call on `path` failed; `operation` names it ("open", "create", "write",
    /// "fsync", "mkdir", "rename", …) and `errno` is its error number.
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .insecurePermissions(let path, let mode):
            "refusing private key \(path): its mode \(Self.octal(mode)) gives group or others access; "
                + "run `chmod 600 \(path)` if the key can still be trusted"
        case .notARegularFile(let path):
            "key file \(path) is not a regular file"
        case .fileTooLarge(let path, let size, let limit):
            "key file \(path) is \(size) bytes, more than any PEM key (limit \(limit)); is the path right?"
        case .invalidKey(let path, let reason, let published):
            "private key \(path) is not usable: \(reason). It is never replaced automatically, because custody records "
                + (published
                    ? "may already be signed with it: restore it from the key backup (its public key is "
                        + "\(GatewayKey.publicKeyPath(forPrivateKeyPath: path))); only if no bag was ever sealed with it, "
                        + "move both files aside and start again to create a new key"
                    : "are checked against it; no public key was ever published beside it, so no bag was signed with it: "
                        + "move it aside (mv \(path) \(path).broken) and start again to create a new key")
        case .generationFailed(let path, let reason):
            "cannot generate a new private key for \(path): \(reason)"
        case .publicKeyPathCollides(let path):
            "private key path \(path) ends in .pub, where its public key would be written; choose another name, e.g. gateway.key"
        case .io(let path, let operation, let code):
            "cannot \(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    /// `mode` as four octal digits, the way `chmod` and `ls -l` users read it: 0644.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// The gateway's long-term signing key on disk: a PEM private key readable by its owner only,
/// with the public key beside it for whoever checks custody records.
public enum GatewayKey {
    /// Key files are a few hundred bytes; anything much larger is the wrong file.
    static let sizeLimit = 64 * 1024

    /// The public key's path: `privateKeyPath` with its extension replaced by ".pub"
    /// (gateway.key → gateway.pub; gateway → gateway.pub).
    public static func publicKeyPath(forPrivateKeyPath path: String) -> String {
        let nameStart = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        // A leading dot starts a hidden name, not an extension.
        if let dot = path[nameStart...].lastIndex(of: "."), dot > nameStart {
            return String(path[..<dot]) + ".pub"
        }
        return path + ".pub"
    }

    /// Loads the gateway's private key from `privateKeyPath`, or creates it there on first start.
    ///
    /// - An existing file must be a regular file whose mode gives group and others no access
    ///   (otherwise `.insecurePermissions`, naming the path, the mode and `chmod 600`), holding
    ///   an unencrypted PKCS#8 Ed25519 PEM key. It is never modified or replaced.
    /// - A missing file is created atomically: the key is written to a temporary file beside
    ///   it (mode 0600 whatever the umask), fsynced, then published under its name with
    ///   `link(2)`, which fails rather than replace a file that appeared meanwhile, and the
    ///   directory is fsynced before this returns. So the key file is either absent or whole,
    ///   even after a SIGKILL or a power cut at any instant, and no custody record is signed
    ///   with a key that a power cut could still take away. If another process creates the
    ///   file first, its key is loaded instead. Temporary files left by a process that died
    ///   while creating the key are removed.
    /// - The public key is kept at `publicKeyPath(forPrivateKeyPath:)` as a PEM "PUBLIC KEY",
    ///   mode 0644: written when missing, and rewritten (atomically, by rename) when it does
    ///   not hold this key's public key. It is left alone when it already does.
    ///
    /// Blocking file I/O; call it once at start-up.
    /// - Returns: the key, and whether it was created by this call.
    public static func loadOrCreate(privateKeyPath path: String) throws(GatewayKeyError) -> (key: Ed25519PrivateKey, created: Bool) {
        let publicPath = publicKeyPath(forPrivateKeyPath: path)
        guard publicPath != path else { throw .publicKeyPathCollides(path: path) }

        let key: Ed25519PrivateKey, created: Bool
        if let existing = try readPrivateKey(at: path) {
            (key, created) = (existing, false)
        } else {
            let fresh: Ed25519PrivateKey
            do { fresh = try Ed25519PrivateKey() } catch { throw .generationFailed(path: path, reason: error) }
            if try createPrivateKeyFile(at: path, key: fresh) {
                (key, created) = (fresh, true)
            } else if let existing = try readPrivateKey(at: path) {
                // Another process won the race to create it; its key is the gateway's key.
                (key, created) = (existing, false)
            } else {
                // O_EXCL saw something, open sees nothing: a dangling symbolic link.
                throw .io(path: path, operation: "create", errno: EEXIST)
            }
        }
        try writePublicKeyIfNeeded(key.publicKey, at: publicPath)
        return (key, created)
    }

    // MARK: Private key

    /// The key in the file at `path`, or nil when there is no such file.
    private static func readPrivateKey(at path: String) throws(GatewayKeyError) -> Ed25519PrivateKey? {
        guard let text = try readSmallFile(at: path, requirePrivateMode: true) else { return nil }
        do {
            return try Ed25519PrivateKey(pemRepresentation: text)
        } catch {
            var info = stat()
            let published = lstat(publicKeyPath(forPrivateKeyPath: path), &info) == 0
            throw .invalidKey(path: path, reason: error, publicKeyExists: published)
        }
    }

    /// Creates `path` holding `key`'s PEM, durably and atomically. False if the file already
    /// exists.
    private static func createPrivateKeyFile(at path: String, key: Ed25519PrivateKey) throws(GatewayKeyError) -> Bool {
        let directory = parentDirectory(of: path)
        try makeDirectories(directory)
        removeAbandonedTemporaries(of: path)
        let temporary = temporaryPath(for: path, pid: getpid())
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", errno: errno) }
        try fill(fd, at: temporary, mode: 0o600, with: Array(key.pemRepresentation.utf8))
        // link, not rename: it never replaces a key another process published meanwhile.
        let linked = link(temporary, path)
        let code = errno
        unlink(temporary)
        if linked != 0 {
            if code == EEXIST { return false }
            throw .io(path: path, operation: "link \(temporary) to", errno: code)
        }
        try syncDirectory(directory)
        return true
    }

    /// Where a process with `pid` writes a new key before publishing it as `path`
    /// (`gateway.key.tmp-<pid>`); such a file is never a key in use.
    public static func temporaryPath(for path: String, pid: pid_t) -> String { "\(path).tmp-\(pid)" }

    /// Removes the temporary key files of processes that no longer run (killed while creating
    /// the key). Never the file of a live process, which may be about to publish it.
    private static func removeAbandonedTemporaries(of path: String) {
        let directory = parentDirectory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let prefix = name + ".tmp-"
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let found = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard found.hasPrefix(prefix), let pid = pid_t(found.dropFirst(prefix.count)), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + "/" + found)
            }
        }
    }

    // MARK: Public key

    /// Makes the file at `path` hold `publicKey` unless it already does.
    private static func writePublicKeyIfNeeded(_ publicKey: Ed25519PublicKey, at path: String) throws(GatewayKeyError) {
        if let text = try readSmallFile(at: path, requirePrivateMode: false),
           (try? Ed25519PublicKey(pemRepresentation: text)) == publicKey {
            return
        }
        // Missing, unreadable as a key, or another key's: replace it whole, so a reader never
        // sees a half-written file.
        let directory = parentDirectory(of: path)
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode_t(0o644))
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", errno: errno) }
        try fill(fd, at: temporary, mode: 0o644, with: Array(publicKey.pemRepresentation.utf8))
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .io(path: path, operation: "rename \(temporary) to", errno: code)
        }
        try syncDirectory(directory)
    }

    // MARK: File helpers

    /// The contents of the regular file at `path`, or nil when it does not exist. With
    /// `requirePrivateMode`, refuses a file that group or others may access.
    private static func readSmallFile(at path: String, requirePrivateMode: Bool) throws(GatewayKeyError) -> String? {
        try SmallFile.read(at: path, sizeLimit: sizeLimit, requirePrivateMode: requirePrivateMode, reporting: GatewayKeyError.self)
    }

    /// Gives the just-created file `fd` at `path` exactly `mode` and the contents `bytes`,
    /// fsyncs and closes it. On failure the file is closed and removed: no half-written key is
    /// left behind to be refused, or worse trusted, at the next start.
    private static func fill(_ fd: Int32, at path: String, mode: mode_t, with bytes: [UInt8]) throws(GatewayKeyError) {
        do throws(GatewayKeyError) {
            // The umask can only narrow the mode given to open, but set it exactly anyway.
            try check(fchmod(fd, mode), "chmod", path)
            try writeAll(fd, bytes, path)
            try check(fsync(fd), "fsync", path)
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        // Closed once only, even when close fails: the descriptor may already be reused.
        if close(fd) != 0 {
            let code = errno
            unlink(path)
            throw .io(path: path, operation: "close", errno: code)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(GatewayKeyError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            offset += count
        }
    }

    /// Creates `directory` and any missing ancestors with mode 0700, fsyncing the parent of
    /// each one created so the new entries are durable. Existing directories are left as they are.
    private static func makeDirectories(_ directory: String) throws(GatewayKeyError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR) else {
                throw .io(path: directory, operation: "use as a directory", errno: ENOTDIR)
            }
            return
        }
        guard errno == ENOENT else { throw .io(path: directory, operation: "stat", errno: errno) }
        let parent = parentDirectory(of: directory)
        if parent != directory { try makeDirectories(parent) }
        if mkdir(directory, mode_t(0o700)) != 0 {
            // Another process may have made it meanwhile; that one is used as it is.
            if errno == EEXIST { return }
            throw .io(path: directory, operation: "mkdir", errno: errno)
        }
        try check(chmod(directory, mode_t(0o700)), "chmod", directory)
        try syncDirectory(parent)
    }

    /// Makes the entries of `directory` durable (a new or renamed file is not, until then).
    private static func syncDirectory(_ directory: String) throws(GatewayKeyError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: directory, operation: "open", errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 {
            // Some filesystems cannot fsync a directory at all; there is nothing more to do there.
            if errno == EINVAL || errno == ENOTSUP { return }
            throw .io(path: directory, operation: "fsync", errno: errno)
        }
    }

    /// The directory holding `path`: "." for a bare name, "/" for a name at the root.
    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// Throws `.io` with the current errno when a system call returned nonzero.
    private static func check(_ result: Int32, _ operation: String, _ path: String) throws(GatewayKeyError) {
        if result != 0 { throw .io(path: path, operation: operation, errno: errno) }
    }
}

extension GatewayKeyError: SmallFileProblemReporting {}
