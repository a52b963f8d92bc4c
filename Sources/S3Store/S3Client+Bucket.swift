import Foundation

extension S3Client {
    /// HeadBucket: whether the bucket exists and these credentials may use it. Throws `.service`
    /// with status 404 (no such bucket) or 403 (not allowed); HEAD answers carry no error
    /// code, so look at `status`.
    public func headBucket(_ bucket: String) async throws(S3Error) -> BucketHead {
        let answer = try await send(Request(operation: "HeadBucket", method: "HEAD", bucket: bucket))
        return BucketHead(region: answer.header("x-amz-bucket-region"))
    }

    /// GetObjectLockConfiguration: the bucket's Object Lock configuration, or nil when the
    /// bucket has none (`ObjectLockConfigurationNotFoundError`): a bucket where the gateway
    /// cannot lock evidence.
    public func objectLockConfiguration(bucket: String) async throws(S3Error) -> BucketObjectLockConfiguration? {
        let operation = "GetObjectLockConfiguration"
        let answer: HTTPAnswer
        do {
            answer = try await send(Request(operation: operation, method: "GET", bucket: bucket,
                                            query: [("object-lock", "")]))
        } catch {
            if error.code == "ObjectLockConfigurationNotFoundError" { return nil }
            throw error
        }
        let root = try Self.xml(answer, root: "ObjectLockConfiguration", operation: operation)
        var defaultRetention: BucketObjectLockConfiguration.DefaultRetention?
        if let rule = root.child("Rule")?.child("DefaultRetention") {
            guard let modeText = rule.text(of: "Mode"), let mode = ObjectLockMode(rawValue: modeText) else {
                throw .invalidResponse(operation: operation, detail: "default retention without a valid <Mode>")
            }
            defaultRetention = .init(mode: mode, days: rule.text(of: "Days").flatMap { Int($0) },
                                     years: rule.text(of: "Years").flatMap { Int($0) })
        }
        return BucketObjectLockConfiguration(enabled: root.text(of: "ObjectLockEnabled") == "Enabled",
                                             defaultRetention: defaultRetention)
    }
}
