import Evidence
import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The local evidence store on disk, as the gateway writes it (its paths are `StoreLayout`).
///
/// Guarantees: a bag appears under bags/ only complete (renamed from staging after every file
/// and directory was fsynced); nothing under bags/ is modified afterwards.
public struct LocalStore: Sendable {
    public let root: String
    /// Where everything is in this store.
    public let layout: StoreLayout

    /// Opens the store at `root`, creating bags/ and .staging/ when missing.
    ///
    /// - Throws: `StorageError` when bags/, .staging/, audit/, the audit log, gateway.pub or the
    ///   lock file is a symbolic link (bags must be written where the store is, nowhere else),
    ///   or a directory cannot be made.
    public init(root: String) throws(StorageError) {
        self.root = root
        layout = StoreLayout(root: root)
        for path in [layout.bagsDirectory, layout.stagingDirectory, layout.pruningDirectory, layout.auditDirectory, layout.auditLogPath,
                     layout.publicKeyPath, layout.lockPath] {
            try FileIO.refuseSymbolicLink(path)
        }
        try FileIO.makeDirectory(bagsDirectory)
        try FileIO.makeDirectory(stagingDirectory)
    }

    /// The lock file the running gateway holds (`ProcessLock`).
    public var lockPath: String { layout.lockPath }

    public var bagsDirectory: String { layout.bagsDirectory }
    public var stagingDirectory: String { layout.stagingDirectory }
    public var auditLogPath: String { layout.auditLogPath }

    public func stagingBag(_ name: String) -> String { layout.stagingBag(name) }
    public func finalBag(_ name: String) -> String { layout.finalBag(name) }

    /// Opens (creating directories) the staging file of one recording for writing.
    package func openStagingFile(bag: String, bagPath: String) throws(StorageError) -> (fd: Int32, path: String) {
        let path = stagingBag(bag) + "/" + bagPath
        try FileIO.makeDirectory((path as NSString).deletingLastPathComponent)
        return (try FileIO.open(path, flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o640), path)
    }

    /// Writes the public key beside the bags so a custodian can verify signatures with openssl.
    public func publishPublicKey(_ pem: String) throws(StorageError) {
        let path = layout.publicKeyPath
        if (try? String(contentsOfFile: path, encoding: .utf8)) == pem { return }
        try FileIO.write(path + ".tmp", contents: Array(pem.utf8), mode: 0o644)
        try FileIO.rename(path + ".tmp", path)
        try FileIO.syncDirectory(root)
    }

    /// A payload file of a bag about to be finalized.
    package struct PayloadFile {
        package var bagPath: String
        package var sha256: [UInt8]
        package var size: UInt64

        package init(bagPath: String, sha256: [UInt8], size: UInt64) {
            self.bagPath = bagPath
            self.sha256 = sha256
            self.size = size
        }
    }

    /// Writes the tag files into the staging bag, fsyncs everything, renames it into bags/ and
    /// makes it read-only. Idempotent after a crash: a bag already renamed is left as it is.
    ///
    /// - Returns: the final bag's path.
    ///
    /// custody.json is made by `custody` as it is written (`CustodyRecord.writeCanonicalJSON`),
    /// then signed from the file once it and the derived files are written: Ed25519 signs the
    /// whole message at once, and reading it back then, when what it was made from is gone,
    /// keeps the record, its text and the reports out of memory together (#11). `payload`,
    /// `custody` and `derived` are taken (`consuming`) so that each is let go once written.
    ///
    /// - Throws: `StorageError`; when `custody` or a derived file throws, one whose `detail` is
    ///   that error (nothing is renamed into bags/).
    package func finalize(bag name: String, payload: consuming [PayloadFile], bagInfo: BagInfo,
                          custody: consuming @escaping ((Data) -> Void) throws -> Void,
                          derived: consuming [TagFile] = [], key: Ed25519PrivateKey) throws(StorageError) -> String {
        let staging = stagingBag(name), final = finalBag(name)
        if !FileManager.default.fileExists(atPath: staging) && FileManager.default.fileExists(atPath: final) {
            try makeReadOnly(final) // the stop may have come between the rename and this
            return final
        }
        try FileIO.makeDirectory(staging + "/data")
        // Each tag file is written as soon as it is hashed, and no copy is kept: with a large
        // catalog the manifest, the custody record and the reports are tens of MB each.
        var tagDigests: [(String, [UInt8])] = []
        func put(_ file: String, _ bytes: some ContiguousBytes, listed: Bool = true) throws(StorageError) {
            let path = staging + "/" + file
            try FileIO.makeDirectory((path as NSString).deletingLastPathComponent)
            try FileIO.write(path, contents: bytes, mode: 0o640)
            if listed {
                let hasher = SHA256Hasher()
                bytes.withUnsafeBytes { hasher.update($0) }
                tagDigests.append((file, hasher.finalize()))
            }
        }
        // A file made piece by piece (`TagFile`), written as the pieces come: small pieces (a
        // report.json entry) gathered into 64 KiB runs, a piece of a run or more written as it is.
        // After a failed write the rest is only drained, neither hashed nor kept.
        @discardableResult
        func putPieces(_ file: String, _ produce: ((Data) -> Void) throws -> Void) throws(StorageError) -> [UInt8] {
            let path = staging + "/" + file
            try FileIO.makeDirectory((path as NSString).deletingLastPathComponent)
            let fd = try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o640)
            defer { close(fd) }
            let hasher = SHA256Hasher(), run = 1 << 16
            var buffer = Data(), offset: UInt64 = 0, failure: StorageError?
            func write(_ bytes: Data) {
                guard failure == nil, !bytes.isEmpty else { return }
                do {
                    try bytes.withUnsafeBytes { raw in try FileIO.write(fd, raw, at: offset, path: path) }
                } catch {
                    failure = error as? StorageError ?? StorageError(operation: "write", path: path, errno: EIO)
                }
                offset += UInt64(bytes.count)
            }
            func flush() {
                write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            do {
                try produce { piece in
                    guard failure == nil else { return }
                    piece.withUnsafeBytes { hasher.update($0) }
                    if piece.count >= run {
                        flush()
                        write(piece)
                    } else {
                        buffer.append(piece)
                        if buffer.count >= run { flush() }
                    }
                }
            } catch {
                throw failure ?? StorageError(operation: "make", path: path, errno: EINVAL, detail: "\(error)")
            }
            flush()
            if let failure { throw failure }
            try FileIO.sync(fd, path: path)
            let digest = hasher.finalize()
            tagDigests.append((file, digest))
            return digest
        }
        try put("bagit.txt", Array(BagIt.declaration.utf8))
        try put("bag-info.txt", Array(bagInfo.text().utf8))
        let manifest = (consume payload).map { (path: $0.bagPath, sha256: $0.sha256) }
        try putPieces("manifest-sha256.txt") { sink in BagIt.writeManifest(manifest) { sink(Data($0.utf8)) } }
        _ = consume manifest
        let custodyDigest = try putPieces("custody.json", custody)
        _ = consume custody // the record it was made from goes with it
        // Derived files (tracks, reports) are tag files: listed in the tag manifest, never
        // beside or over the payload.
        for file in derived { try putPieces(file.path, file.write) } // consumes `derived`
        try put("custody.json.sig", try signWritten(staging + "/custody.json", sha256: custodyDigest, key: key))
        try put("tagmanifest-sha256.txt", Array(BagIt.manifest(tagDigests).utf8), listed: false)
        // Payload files were fsynced as they were written; their directories are synced here.
        for dir in directories(under: staging) { try FileIO.syncDirectory(dir) }
        try FileIO.rename(staging, final)
        try FileIO.syncDirectory(bagsDirectory)
        try FileIO.syncDirectory(stagingDirectory)
        try makeReadOnly(final)
        return final
    }

    /// The signature of the file at `path`, read back whole: Ed25519 (RFC 8032 PureEd25519, what
    /// openssl and every verifier check) hashes the whole message twice, so it cannot be signed
    /// piece by piece as it is written. The bytes read must be exactly those written, whose
    /// SHA-256 is `sha256` (the tag manifest's line): the signature is over what the manifest
    /// names, or sealing fails.
    private func signWritten(_ path: String, sha256: [UInt8], key: Ed25519PrivateKey) throws(StorageError) -> [UInt8] {
        let fd = try FileIO.open(path, flags: O_RDONLY | O_NOFOLLOW)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StorageError(operation: "stat", path: path, errno: errno) }
        let size = Int(info.st_size)
        // One byte more than the size, to see that the file has not grown since.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size + 1, alignment: 1)
        defer { buffer.deallocate() }
        var done = 0
        while done <= size {
            let n = try FileIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: UInt64(done), path: path)
            if n == 0 { break }
            done += n
        }
        let message = UnsafeRawBufferPointer(rebasing: buffer[..<min(done, size)])
        guard done == size, SHA256Hasher.hash(message) == sha256 else {
            throw StorageError(operation: "sign", path: path, errno: EIO,
                               detail: "the file read back (\(done) bytes) is not the one written (\(size) bytes, SHA-256 \(hexString(sha256)))")
        }
        do {
            return try key.signature(for: message)
        } catch {
            throw StorageError(operation: "sign", path: path, errno: EINVAL, detail: "\(error)")
        }
    }

    /// Every directory below and including `root`, deepest first.
    private func directories(under root: String) -> [String] {
        var result = [root]
        if let e = FileManager.default.enumerator(atPath: root) {
            for case let rel as String in e {
                var isDir: ObjCBool = false
                let full = root + "/" + rel
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), isDir.boolValue { result.append(full) }
            }
        }
        return result.sorted { $0.count > $1.count }
    }

    /// Makes every file of a final bag read-only (0440).
    package func makeReadOnly(_ bag: String) throws(StorageError) {
        guard let e = FileManager.default.enumerator(atPath: bag) else { return }
        for case let rel as String in e {
            let full = bag + "/" + rel
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                try FileIO.chmod(full, 0o440)
            }
        }
    }
}
