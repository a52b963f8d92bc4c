import Evidence
import Foundation
import GatewayCrypto
import S3Store

/// `recorderctl verify` with forwarding configured: each file of a local bag against its copy in
/// the remote evidence store (size, SHA-256 or the multipart composite, retention).
public struct RemoteVerifier: Sendable {
    public let settings: ForwardSettings
    private let client: S3Client

    public init(settings: ForwardSettings) throws {
        let credentials = try settings.credentialsFile.map { try S3Credentials.fromSharedCredentialsFile(at: $0, profile: settings.profile) }
            ?? S3Credentials.resolve()
        let endpoint = try S3Endpoint(url: settings.endpoint, region: settings.region,
                                      addressing: settings.virtualHost ? .virtualHost : .path, caBundlePath: settings.caBundle)
        self.settings = settings
        self.client = S3Client(endpoint: endpoint, credentials: credentials)
    }

    /// One line per problem, each naming the file; empty when the store's copy is whole.
    public func verify(bag: String) async -> [String] {
        let name = (bag as NSString).lastPathComponent
        var paths: [String] = []
        for manifest in [BagIt.manifestFileName, BagIt.tagManifestFileName] {
            guard let text = try? String(contentsOfFile: bag + "/" + manifest, encoding: .utf8),
                  let lines = try? BagIt.parseManifest(text) else { return ["\(manifest): unreadable"] }
            paths += lines.map(\.path)
        }
        paths.append(BagIt.tagManifestFileName)
        var problems: [String] = []
        for path in paths {
            let key = settings.key(bag: name, path: path)
            let local = bag + "/" + path
            do {
                let head = try await client.headObject(bucket: settings.bucket, key: key)
                let size = (try? FileManager.default.attributesOfItem(atPath: local)[.size] as? NSNumber)?.int64Value ?? -1
                if head.contentLength != size {
                    problems.append("\(path): the store holds \(head.contentLength) bytes, the bag \(size)")
                    continue
                }
                if let stored = head.checksumSHA256 {
                    let expected = Int64(size) <= settings.partSize
                        ? Data(try FileDigest.sha256(local).sha256).base64EncodedString()
                        : try Self.composite(local, size: UInt64(size), partSize: UInt64(settings.partSize))
                    if stored.split(separator: "-").first != expected.split(separator: "-").first {
                        problems.append("\(path): the store's SHA-256 \(stored) is not the bag's \(expected)")
                    }
                }
                if settings.lockMode != nil, head.retention == nil {
                    problems.append("\(path): the store shows no retention on its copy")
                }
            } catch {
                problems.append("\(path): \(error)")
            }
        }
        return problems
    }


    static func composite(_ path: String, size: UInt64, partSize: UInt64) throws -> String {
        var parts: [[UInt8]] = []
        var offset: UInt64 = 0
        while offset < size {
            let end = min(size, offset + partSize)
            parts.append(try FileDigest.sha256(path, range: offset..<end).sha256)
            offset = end
        }
        return compositeSHA256Checksum(partSHA256s: parts)
    }
}
