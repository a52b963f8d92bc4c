import Foundation
import S3Store
import TestSupport
import Testing

@Suite struct CredentialsTests {
    @Test func environmentGivesCredentialsWithOptionalToken() throws {
        let plain = try #require(try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"]))
        #expect(plain == S3Credentials(accessKeyID: "AKID", secretAccessKey: "s"))
        let temporary = try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s",
                                                           "AWS_SESSION_TOKEN": "t"])
        #expect(temporary?.sessionToken == "t")
        #expect(try S3Credentials.fromEnvironment([:]) == nil)
        #expect(try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""]) == nil)
    }

    @Test func halfAnEnvironmentIsAnError() {
        #expect(throws: S3CredentialsError.incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")) {
            try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"])
        }
        #expect(throws: S3CredentialsError.incompleteEnvironment(missing: "AWS_ACCESS_KEY_ID")) {
            try S3Credentials.fromEnvironment(["AWS_SECRET_ACCESS_KEY": "s"])
        }
    }

    static let file = """
        # the gateway's store credentials
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key=secret/default+key

        ; a second profile, in the config file's spelling
        [profile evidence]
        AWS_ACCESS_KEY_ID = AKIDEVIDENCE
        aws_secret_access_key = secret-evidence
        aws_session_token = token-evidence
        region = eu-west-1

        [incomplete]
        aws_access_key_id = AKIDINCOMPLETE
        """

    func write(_ text: String, mode: Int, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("credentials").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func sharedFileProfilesAreRead() throws {
        try withTemporaryDirectory { directory in
            let path = try write(Self.file, mode: 0o600, in: directory)
            #expect(try S3Credentials.fromSharedCredentialsFile(at: path)
                    == S3Credentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "secret/default+key"))
            #expect(try S3Credentials.fromSharedCredentialsFile(at: path, profile: "evidence")
                    == S3Credentials(accessKeyID: "AKIDEVIDENCE", secretAccessKey: "secret-evidence", sessionToken: "token-evidence"))
            #expect(throws: S3CredentialsError.missingKey(path: path, profile: "incomplete", key: "aws_secret_access_key")) {
                try S3Credentials.fromSharedCredentialsFile(at: path, profile: "incomplete")
            }
            #expect(throws: S3CredentialsError.profileNotFound(path: path, profile: "absent")) {
                try S3Credentials.fromSharedCredentialsFile(at: path, profile: "absent")
            }
        }
    }

    /// A file group or others can read (or write) is refused, naming the path and the mode.
    @Test(arguments: [0o644, 0o640, 0o604, 0o620, 0o660])
    func fileOthersCanAccessIsRefused(mode: Int) throws {
        try withTemporaryDirectory { directory in
            let path = try write(Self.file, mode: mode, in: directory)
            let error = #expect(throws: S3CredentialsError.self) { try S3Credentials.fromSharedCredentialsFile(at: path) }
            #expect(error == .insecurePermissions(path: path, mode: UInt32(mode)))
            let octal = "0" + String(mode, radix: 8)
            #expect(error?.description.contains(path) == true && error?.description.contains(octal) == true)
        }
    }

    @Test func missingFileDirectoryAndGarbageAreNamed() throws {
        try withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("none").path
            #expect(throws: S3CredentialsError.io(path: missing, operation: "open", errno: ENOENT)) {
                try S3Credentials.fromSharedCredentialsFile(at: missing)
            }
            #expect(throws: S3CredentialsError.notARegularFile(path: directory.path)) {
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
                return try S3Credentials.fromSharedCredentialsFile(at: directory.path)
            }
            let path = try write("[default]\nthis is not a pair\n", mode: 0o600, in: directory)
            #expect(throws: S3CredentialsError.malformedLine(path: path, line: 2)) {
                try S3Credentials.fromSharedCredentialsFile(at: path)
            }
        }
    }

    @Test func resolvePrefersTheEnvironmentThenTheNamedFileAndProfile() throws {
        try withTemporaryDirectory { directory in
            let path = try write(Self.file, mode: 0o600, in: directory)
            let fromEnvironment = try S3Credentials.resolve(["AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "s",
                                                             "AWS_SHARED_CREDENTIALS_FILE": path])
            #expect(fromEnvironment.accessKeyID == "ENV")
            let fromFile = try S3Credentials.resolve(["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "evidence"])
            #expect(fromFile.accessKeyID == "AKIDEVIDENCE")
            #expect(throws: S3CredentialsError.io(path: directory.path + "/.aws/credentials", operation: "open", errno: ENOENT)) {
                try S3Credentials.resolve(["HOME": directory.path])
            }
        }
    }
}
