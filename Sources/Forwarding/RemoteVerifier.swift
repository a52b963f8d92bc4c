import Evidence
import Foundation
import GatewayCrypto
import S3Store
import Settings

/// `recorderctl verify` with forwarding configured: each file of a local bag against its copy in
/// the remote evidence store (size, SHA-256 and MD5 ETag or their multipart composites, as
/// `RemoteCopy` compares them; retention).
public struct RemoteVerifier: Sendable {
    public let settings: ForwardSettings
    private let client: S3Client

    public init(settings: ForwardSettings) throws {
        let credentials = try settings.credentialsFile.map { try S3Credentials.fromSharedCredentialsFile(at: $0, profile: settings.profile) }
            ?? S3Credentials.resolve()
        let endpoint = try settings.s3Endpoint()
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
                switch try RemoteCopy.expected(file: local, size: size, as: head, configuredPartSize: settings.partSize).copy.compare(head, size: size) {
                case .same: break
                case .differs(let why), .unverifiable(let why): problems.append("\(path): \(why)")
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

}
