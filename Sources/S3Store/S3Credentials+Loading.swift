import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why credentials could not be loaded. Every case names where they were looked for.
public enum S3CredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set (non-empty), the other not.
    case incompleteEnvironment(missing: String)
    /// The credentials file's permission bits (`mode`, e.g. 0o644) give group or others
    /// access. Refused rather than tightened: someone may already have read the secret.
    case insecurePermissions(path: String, mode: UInt32)
    /// The path is not a regular file.
    case notARegularFile(path: String)
    /// The file is larger than any credentials file, so it is not one.
    case fileTooLarge(path: String, size: Int64, limit: Int)
    /// The file has no `[profile]` section of that name.
    case profileNotFound(path: String, profile: String)
    /// The profile lacks `aws_access_key_id` or `aws_secret_access_key` (`key` names it).
    case missingKey(path: String, profile: String, key: String)
    /// A line that is neither a section, a `key = value` pair, a comment nor blank.
    case malformedLine(path: String, line: Int)
    /// A system call on `path` failed.
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .incompleteEnvironment(let missing):
            "AWS credentials in the environment are incomplete: \(missing) is not set"
        case .insecurePermissions(let path, let mode):
            "refusing credentials file \(path): its mode \(Self.octal(mode)) gives group or others access; "
                + "run `chmod 600 \(path)` and rotate the key if it may have been read"
        case .notARegularFile(let path):
            "credentials file \(path) is not a regular file"
        case .fileTooLarge(let path, let size, let limit):
            "credentials file \(path) is \(size) bytes, more than any credentials file (limit \(limit)); is the path right?"
        case .profileNotFound(let path, let profile):
            "credentials file \(path) has no [\(profile)] profile"
        case .missingKey(let path, let profile, let key):
            "profile [\(profile)] in \(path) has no \(key)"
        case .malformedLine(let path, let line):
            "credentials file \(path), line \(line): expected [profile], key = value, or a comment"
        case .io(let path, let operation, let code):
            "cannot \(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    /// `mode` as four octal digits, as `chmod` and `ls -l` users read it: 0644.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension S3Credentials {
    /// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional
    /// `AWS_SESSION_TOKEN`; nil when neither of the first two is set. Empty values count as
    /// unset. Throws when only one of the pair is set: a half-configured environment is a
    /// mistake to report, not a reason to fall back to another source.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(S3CredentialsError) -> S3Credentials? {
        let id = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case (nil, nil): return nil
        case (nil, _): throw .incompleteEnvironment(missing: "AWS_ACCESS_KEY_ID")
        case (_, nil): throw .incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")
        case (let id?, let secret?):
            return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
        }
    }

    /// Credentials from profile `profile` of a file in the AWS shared credentials format:
    ///
    ///     [default]
    ///     aws_access_key_id = AKIA…
    ///     aws_secret_access_key = …
    ///     aws_session_token = …        ; optional
    ///
    /// Sections may also be written `[profile name]` (the AWS config file's form); `#` and `;`
    /// start comment lines; keys are case-insensitive, other keys are ignored.
    ///
    /// The file must be a regular file whose mode gives group and others no access at all
    /// (like the gateway's key file), else `.insecurePermissions` naming the path and mode.
    /// The checks are made on the open descriptor, so they describe the file that is read.
    public static func fromSharedCredentialsFile(at path: String, profile: String = "default") throws(S3CredentialsError) -> S3Credentials {
        let text = try readPrivateFile(at: path)
        var section: String?
        var values: [String: String] = [:]
        var found = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("profile ") { name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces) }
                section = name
                if name == profile { found = true }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw .malformedLine(path: path, line: index + 1) }
            guard section == profile else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            values[key] = value
        }
        guard found else { throw .profileNotFound(path: path, profile: profile) }
        guard let id = values["aws_access_key_id"], !id.isEmpty else {
            throw .missingKey(path: path, profile: profile, key: "aws_access_key_id")
        }
        guard let secret = values["aws_secret_access_key"], !secret.isEmpty else {
            throw .missingKey(path: path, profile: profile, key: "aws_secret_access_key")
        }
        // aws_security_token is the older name some tools still write.
        return S3Credentials(accessKeyID: id, secretAccessKey: secret,
                             sessionToken: values["aws_session_token"] ?? values["aws_security_token"])
    }

    /// The AWS tools' order: the environment (`fromEnvironment`) when it holds credentials,
    /// else profile `AWS_PROFILE` (default "default") of the file `AWS_SHARED_CREDENTIALS_FILE`
    /// (default `$HOME/.aws/credentials`). A missing file is an error naming the path.
    public static func resolve(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(S3CredentialsError) -> S3Credentials {
        if let fromEnvironment = try fromEnvironment(environment) { return fromEnvironment }
        let path = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.aws/credentials"
        let profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return try fromSharedCredentialsFile(at: path, profile: profile)
    }

    /// Credentials files are a few hundred bytes; anything much larger is the wrong file.
    static let fileSizeLimit = 64 * 1024

    private static func readPrivateFile(at path: String) throws(S3CredentialsError) -> String {
        let text = try SmallFile.read(at: path, sizeLimit: fileSizeLimit, requirePrivateMode: true, reporting: S3CredentialsError.self)
        guard let text else { throw .io(path: path, operation: "open", errno: ENOENT) }
        return text
    }
}

extension S3CredentialsError: SmallFileProblemReporting {}
