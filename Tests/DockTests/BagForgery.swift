import Evidence
import Foundation
import GatewayCrypto

/// What someone who can write to a sealed bag, but has no gateway key, can do: change the
/// payload, then make the unsigned BagIt layer agree with it again (both manifests and
/// Payload-Oxum), so that BagIt validation passes. `custody.json` and its signature are left as
/// they are.
enum BagForgery {
    /// Writes `bytes` to `bagPath` (under `data/`) and re-seals the BagIt layer over it.
    static func plant(_ bytes: [UInt8], at bagPath: String, in bag: String) throws {
        try makeWritable(bag)
        let url = URL(fileURLWithPath: bag + "/" + bagPath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        try resealBagIt(bag)
    }

    /// Removes the payload file at `bagPath` and re-seals the BagIt layer without it.
    static func remove(_ bagPath: String, from bag: String) throws {
        try makeWritable(bag)
        try FileManager.default.removeItem(atPath: bag + "/" + bagPath)
        try resealBagIt(bag)
    }

    /// Rewrites manifest-sha256.txt over every file under data/, Payload-Oxum, and
    /// tagmanifest-sha256.txt over the tag files it already lists.
    static func resealBagIt(_ bag: String) throws {
        let fm = FileManager.default
        var payload: [(path: String, sha256: [UInt8])] = []
        var bytes: UInt64 = 0
        for case let rel as String in fm.enumerator(atPath: bag + "/data")! {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: bag + "/data/" + rel, isDirectory: &isDir), !isDir.boolValue else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: bag + "/data/" + rel))
            payload.append(("data/" + rel, SHA256Hasher.hash(data)))
            bytes += UInt64(data.count)
        }
        try BagIt.manifest(payload).write(toFile: bag + "/manifest-sha256.txt", atomically: false, encoding: .utf8)
        let info = try String(contentsOfFile: bag + "/bag-info.txt", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("Payload-Oxum:") ? "Payload-Oxum: \(BagIt.payloadOxum(bytes: bytes, files: payload.count))" : String($0) }
            .joined(separator: "\n")
        try info.write(toFile: bag + "/bag-info.txt", atomically: false, encoding: .utf8)
        let tags = try BagIt.parseManifest(String(contentsOfFile: bag + "/tagmanifest-sha256.txt", encoding: .utf8)).map { line in
            (line.path, SHA256Hasher.hash(try Data(contentsOf: URL(fileURLWithPath: bag + "/" + line.path))))
        }
        try BagIt.manifest(tags).write(toFile: bag + "/tagmanifest-sha256.txt", atomically: false, encoding: .utf8)
    }

    /// Sealed bags are 0440 files in 0750 directories; the forger makes them writable first.
    private static func makeWritable(_ bag: String) throws {
        let fm = FileManager.default
        try fm.setAttributes([.posixPermissions: 0o750], ofItemAtPath: bag)
        for case let rel as String in fm.enumerator(atPath: bag)! {
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: bag + "/" + rel, isDirectory: &isDir)
            try fm.setAttributes([.posixPermissions: isDir.boolValue ? 0o750 : 0o640], ofItemAtPath: bag + "/" + rel)
        }
    }
}
