import Evidence
import Foundation
import GatewayCrypto

/// Checks a bag on disk the way a custodian would: every payload byte against the manifest,
/// the tag files against the tag manifest, Payload-Oxum, the custody signature against the
/// gateway key, the signed file list against the payload manifest (both ways), and, given the
/// store's audit log, that the log still holds the bag's audit anchor.
///
/// Guarantees: reads only; streams files (bounded memory); reports every problem it finds, each
/// naming the file (or, for the anchor, the bag and the anchor's seq and hash), rather than
/// stopping at the first.
public struct BagVerifier: Sendable {
    /// What was found.
    public struct Result: Sendable {
        public var bag: String
        public var files = 0
        public var bytes: UInt64 = 0
        /// The key the signature was checked with, hex.
        public var publicKey: String?
        /// The custody record's audit anchor, when it has one.
        public var anchor: AuditAnchor?
        /// One line per problem, each naming a file.
        public var problems: [String] = []
        /// What was not checked, and why (not problems).
        public var notes: [String] = []
        public var isIntact: Bool { problems.isEmpty }
    }

    /// The trusted gateway key (the store's gateway.pub). Without it the signature is checked
    /// against the key the custody record names, which proves integrity but not origin.
    public var trustedKey: Ed25519PublicKey?
    /// The audit log of the store the bags are in, to check each bag's anchor against; nil
    /// when there is none to check against (a bag copied out of its store).
    public var auditLog: StoreAuditLog?

    public init(trustedKey: Ed25519PublicKey?, auditLog: StoreAuditLog? = nil) {
        self.trustedKey = trustedKey
        self.auditLog = auditLog
    }

    public func verify(bag: String) -> Result {
        var result = Result(bag: bag)
        if let declaration = Self.read(BagIt.declarationFileName, in: bag, into: &result),
           declaration != Data(BagIt.declaration.utf8) {
            result.problems.append("bagit.txt: not the BagIt 1.0 declaration")
        }
        let payload = checkPayload(bag, into: &result)
        checkTagManifest(bag, into: &result)
        checkPayloadOxum(bag, into: &result)

        let custody = custody(of: bag)
        result.publicKey = custody.publicKey
        result.problems += custody.problems
        // The manifests are not signed; the record's file list is. Both must name the same
        // payload, or files were planted, taken out or swapped after sealing.
        if let record = custody.record, let manifest = payload.manifest {
            result.problems += record.payloadMismatches(manifest: manifest, storedSizes: payload.sizes).map(\.description)
        }
        if let auditLog {
            let anchor = anchorCheck(bag: bag, custody: custody, log: auditLog)
            result.anchor = anchor.anchor
            if let problem = anchor.problem { result.problems.append(problem.description) }
            // A record without an anchor is worth a note; an unreadable or unsigned record is
            // already among the problems.
            if custody.record != nil && anchor.anchor == nil { result.notes += anchor.notes }
        }
        return result
    }

    /// Hashes every file the payload manifest lists and reports payload files it does not list.
    /// Returns the manifest (nil when it cannot be read or parsed) and the size of each listed
    /// file that could be read.
    private func checkPayload(_ bag: String, into result: inout Result) -> (manifest: [BagIt.ManifestLine]?, sizes: [String: UInt64]) {
        var manifest: [BagIt.ManifestLine]?
        var sizes: [String: UInt64] = [:]
        if let data = Self.read(BagIt.manifestFileName, in: bag, into: &result) {
            do {
                manifest = try BagIt.parseManifest(String(decoding: data, as: UTF8.self))
            } catch {
                result.problems.append("manifest-sha256.txt: \(error)")
            }
        }
        for line in manifest ?? [] {
            guard line.path.hasPrefix("data/") else {
                result.problems.append("manifest-sha256.txt: \(line.path) is not under data/")
                continue
            }
            switch Swift.Result(catching: { try FileDigest.sha256(bag + "/" + line.path) }) {
            case .success(let (digest, size)):
                result.files += 1
                result.bytes += size
                sizes[line.path] = size
                if digest != line.sha256 {
                    result.problems.append("\(line.path): SHA-256 \(hexString(digest)) differs from the manifest's \(hexString(line.sha256))")
                }
            case .failure(let error):
                result.problems.append("\(line.path): \(error.localizedDescription)")
            }
        }
        let listed = Set((manifest ?? []).map(\.path))
        for path in Self.payloadFiles(bag) where !listed.contains(path) {
            result.problems.append("\(path): in data/ but not in the manifest")
        }
        return (manifest, sizes)
    }

    private func checkTagManifest(_ bag: String, into result: inout Result) {
        guard let data = Self.read(BagIt.tagManifestFileName, in: bag, into: &result) else { return }
        do {
            for line in try BagIt.parseManifest(String(decoding: data, as: UTF8.self)) {
                switch Swift.Result(catching: { try FileDigest.sha256(bag + "/" + line.path) }) {
                case .success(let (digest, _)) where digest != line.sha256:
                    result.problems.append("\(line.path): SHA-256 differs from the tag manifest's")
                case .failure:
                    result.problems.append("\(line.path): listed in the tag manifest but missing")
                default: break
                }
            }
        } catch {
            result.problems.append("tagmanifest-sha256.txt: \(error)")
        }
    }

    /// Payload-Oxum against the payload as hashed (so run after `checkPayload`).
    private func checkPayloadOxum(_ bag: String, into result: inout Result) {
        guard let info = Self.read(BagIt.bagInfoFileName, in: bag, into: &result) else { return }
        let text = String(decoding: info, as: UTF8.self)
        let oxum = text.split(separator: "\n").first { $0.hasPrefix("Payload-Oxum:") }
            .map { $0.dropFirst("Payload-Oxum:".count).trimmingCharacters(in: .whitespaces) }
        if oxum != BagIt.payloadOxum(bytes: result.bytes, files: result.files) {
            result.problems.append("bag-info.txt: Payload-Oxum \(oxum ?? "missing") but the payload is \(BagIt.payloadOxum(bytes: result.bytes, files: result.files))")
        }
    }

    /// The bytes of a tag file, or nil with a problem naming it.
    static func read(_ name: String, in bag: String, into result: inout Result) -> Data? {
        let data = FileManager.default.contents(atPath: bag + "/" + name)
        if data == nil { result.problems.append("\(name): missing or unreadable") }
        return data
    }

    /// Paths of every regular file under `bag/data`, relative to the bag.
    static func payloadFiles(_ bag: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: bag + "/data") else { return [] }
        var out: [String] = []
        for case let rel as String in e {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: bag + "/data/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out.append("data/" + rel)
            }
        }
        return out.sorted()
    }
}
