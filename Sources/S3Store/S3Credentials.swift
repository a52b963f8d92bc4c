/// The AWS-style credentials requests to the evidence store are signed with.
///
/// A plain value, so it is `Sendable`. Its `description` and mirror show the access key id and
/// whether a session token is present, never the secret or the token, so credentials do not
/// end up in a log by way of string interpolation or `dump`. Swift cannot promise that copies
/// of the secret are wiped from memory.
public struct S3Credentials: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The access key id, e.g. `AKIAIOSFODNN7EXAMPLE`: public, it names the key.
    public let accessKeyID: String
    /// The secret access key: what every request's signature is derived from.
    public let secretAccessKey: String
    /// The session token of temporary (STS) credentials, sent as `X-Amz-Security-Token` and
    /// signed; nil for long-term keys.
    public let sessionToken: String?

    /// Credentials as given. Nothing is checked here: a wrong key is only found out by the
    /// server (`InvalidAccessKeyId`, `SignatureDoesNotMatch`). An empty `sessionToken` counts
    /// as none, as the AWS tools treat an empty `AWS_SESSION_TOKEN`.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = (sessionToken?.isEmpty ?? true) ? nil : sessionToken
    }

    public var description: String {
        "S3Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "hasSessionToken": sessionToken != nil])
    }
}
