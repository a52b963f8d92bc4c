import Evidence
import Foundation
import GatewayCrypto

/// Checks a bag on disk the way a custodian would: every payload byte against the manifest,
/// the tag files against the tag manifest, Payload-Oxum, the custody record's hashes against
/// the manifest, and the custody signature against the gateway key.
///
/// Guarantees: reads only; streams files (bounded memory); reports every problem it finds, each
/// naming the file, rather than stopping at the first.
public struct BagVerifier: Sendable {
    /// What was found.
    public struct Result: Sendable {
        public var bag: String
        public var files = 0
        public var bytes: UInt64 = 0
        /// The key the signature was checked with, hex.
        public var publicKey: String?
        /// One line per problem, each naming a file.
        public var problems: [String] = []
        public var isIntact: Bool { problems.isEmpty }
    }

    /// The trusted gateway key (the store's gateway.pub). Without it the signature is checked
    /// against the key the custody record names, which proves integrity but not origin.
    public var trustedKey: Ed25519PublicKey?

    public init(trustedKey: Ed25519PublicKey?) { self.trustedKey = trustedKey }

    public func verify(bag: String) -> Result {
        var result = Result(bag: bag)
        let fm = FileManager.default
        func read(_ name: String) -> Data? {
            let data = fm.contents(atPath: bag + "/" + name)
            if data == nil { result.problems.append("\(name): missing or unreadable") }
            return data
        }
        if let declaration = read(BagIt.declarationFileName), declaration != Data(BagIt.declaration.utf8) {
            result.problems.append("bagit.txt: not the BagIt 1.0 declaration")
        }

        // Payload against the manifest, and no payload file outside it.
        var listed = Set<String>()
        if let data = read(BagIt.manifestFileName) {
            do {
                for line in try BagIt.parseManifest(String(decoding: data, as: UTF8.self)) {
                    listed.insert(line.path)
                    guard line.path.hasPrefix("data/") else {
                        result.problems.append("manifest-sha256.txt: \(line.path) is not under data/")
                        continue
                    }
                    switch Swift.Result(catching: { try FileDigest.sha256(bag + "/" + line.path) }) {
                    case .success(let (digest, size)):
                        result.files += 1
                        result.bytes += size
                        if digest != line.sha256 {
                            result.problems.append("\(line.path): SHA-256 \(hexString(digest)) differs from the manifest's \(hexString(line.sha256))")
                        }
                    case .failure(let error):
                        result.problems.append("\(line.path): \(error.localizedDescription)")
                    }
                }
            } catch {
                result.problems.append("manifest-sha256.txt: \(error)")
            }
        }
        for path in Self.payloadFiles(bag) where !listed.contains(path) {
            result.problems.append("\(path): in data/ but not in the manifest")
        }

        // Tag files against the tag manifest.
        if let data = read(BagIt.tagManifestFileName) {
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

        // Payload-Oxum.
        if let info = read(BagIt.bagInfoFileName) {
            let text = String(decoding: info, as: UTF8.self)
            let oxum = text.split(separator: "\n").first { $0.hasPrefix("Payload-Oxum:") }
                .map { $0.dropFirst("Payload-Oxum:".count).trimmingCharacters(in: .whitespaces) }
            if oxum != BagIt.payloadOxum(bytes: result.bytes, files: result.files) {
                result.problems.append("bag-info.txt: Payload-Oxum \(oxum ?? "missing") but the payload is \(BagIt.payloadOxum(bytes: result.bytes, files: result.files))")
            }
        }

        // Custody record: signature, and its hashes against the manifest.
        if let custody = read("custody.json"), let signature = read("custody.json.sig") {
            var record: CustodyRecord?
            do { record = try CustodyRecord(json: custody) } catch {
                result.problems.append("custody.json: \(error)")
            }
            var key = trustedKey
            if key == nil, let hex = record?.gateway.publicKey, let raw = bytes(fromHex: hex) {
                key = try? Ed25519PublicKey(rawRepresentation: raw)
            }
            if let key {
                result.publicKey = hexString(key.rawRepresentation)
                if !key.isValidSignature(Array(signature), for: Array(custody)) {
                    result.problems.append("custody.json.sig: does not verify custody.json with key \(hexString(key.rawRepresentation).prefix(16))…")
                }
                if let named = record?.gateway.publicKey, trustedKey != nil, named != hexString(key.rawRepresentation) {
                    result.problems.append("custody.json: names gateway key \(named.prefix(16))…, not the store's gateway.pub")
                }
            } else {
                result.problems.append("custody.json.sig: no key to check it with (no gateway.pub, no key in the record)")
            }
            if let record, let manifest = fm.contents(atPath: bag + "/" + BagIt.manifestFileName),
               let lines = try? BagIt.parseManifest(String(decoding: manifest, as: UTF8.self)) {
                let byPath = Dictionary(lines.map { ($0.path, hexString($0.sha256)) }, uniquingKeysWith: { a, _ in a })
                for f in record.files where byPath[f.bagPath] != f.sha256 {
                    result.problems.append("custody.json: file \(f.recordingId) (\(f.bagPath)) hash \(f.sha256 ?? "none") is not the manifest's \(byPath[f.bagPath] ?? "none")")
                }
            }
        }
        return result
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
