import Foundation
import GatewayCrypto
import TestSupport
import Testing

@Suite struct GatewayKeyTests {
    @Test func firstStartCreatesA0600PrivateKeyAndA0644PublicKey() throws {
        try withTemporaryDirectory { directory in
            let keyDirectory = directory.appendingPathComponent("var/lib/gateway").path
            let path = keyDirectory + "/gateway.key"
            let (key, created) = try GatewayKey.loadOrCreate(privateKeyPath: path)
            #expect(created)
            #expect(try permissions(of: path) == 0o600)
            #expect(try permissions(of: keyDirectory + "/gateway.pub") == 0o644)
            // Every missing parent is made owner-only; the existing temporary directory is not touched.
            #expect(try permissions(of: keyDirectory) == 0o700)
            #expect(try permissions(of: directory.appendingPathComponent("var/lib").path) == 0o700)
            #expect(try permissions(of: directory.appendingPathComponent("var").path) == 0o700)

            let privatePEM = try String(contentsOfFile: path, encoding: .utf8)
            #expect(try Ed25519PrivateKey(pemRepresentation: privatePEM).rawRepresentation == key.rawRepresentation)
            let publicPEM = try String(contentsOfFile: keyDirectory + "/gateway.pub", encoding: .utf8)
            #expect(try Ed25519PublicKey(pemRepresentation: publicPEM) == key.publicKey)
            #expect(try FileManager.default.contentsOfDirectory(atPath: keyDirectory).sorted() == ["gateway.key", "gateway.pub"])
        }
    }

    @Test func secondStartLoadsTheSameKeyAndLeavesTheFilesAlone() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            let publicPath = directory.appendingPathComponent("gateway.pub").path
            let first = try GatewayKey.loadOrCreate(privateKeyPath: path)
            let publicInode = try inode(of: publicPath)
            let second = try GatewayKey.loadOrCreate(privateKeyPath: path)
            #expect(first.created && !second.created)
            #expect(second.key.rawRepresentation == first.key.rawRepresentation)
            #expect(try inode(of: publicPath) == publicInode, "a matching .pub was rewritten")
        }
    }

    @Test func groupOrWorldAccessiblePrivateKeyIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            _ = try GatewayKey.loadOrCreate(privateKeyPath: path)
            for mode in [0o644, 0o640, 0o604, 0o660] {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
                do throws(GatewayKeyError) {
                    _ = try GatewayKey.loadOrCreate(privateKeyPath: path)
                    Issue.record("mode \(String(mode, radix: 8)) was accepted")
                } catch {
                    #expect(error == .insecurePermissions(path: path, mode: UInt32(mode)))
                    #expect("\(error)".contains(path))
                    #expect("\(error)".contains("0" + String(mode, radix: 8)))
                    #expect("\(error)".contains("chmod 600"))
                }
            }
            // The refused key was left as it was, and an owner-only mode is accepted again.
            #expect(try permissions(of: path) == 0o660)
            try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
            #expect(try !GatewayKey.loadOrCreate(privateKeyPath: path).created)
        }
    }

    @Test func mismatchingOrDamagedPublicKeyIsRewritten() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            let publicPath = directory.appendingPathComponent("gateway.pub").path
            let key = try GatewayKey.loadOrCreate(privateKeyPath: path).key
            for stale in [try Ed25519PrivateKey().publicKey.pemRepresentation, "garbage\n", ""] {
                try stale.write(toFile: publicPath, atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: publicPath)
                let again = try GatewayKey.loadOrCreate(privateKeyPath: path)
                #expect(!again.created && again.key.rawRepresentation == key.rawRepresentation)
                let fixed = try String(contentsOfFile: publicPath, encoding: .utf8)
                #expect(try Ed25519PublicKey(pemRepresentation: fixed) == key.publicKey)
                #expect(try permissions(of: publicPath) == 0o644)
            }
            // Rewriting goes through a temporary file that must not be left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["gateway.key", "gateway.pub"])
        }
    }

    @Test func missingPublicKeyIsWrittenBesideAnExistingPrivateKey() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            let publicPath = directory.appendingPathComponent("gateway.pub").path
            let key = try GatewayKey.loadOrCreate(privateKeyPath: path).key
            try FileManager.default.removeItem(atPath: publicPath)
            #expect(try !GatewayKey.loadOrCreate(privateKeyPath: path).created)
            #expect(try Ed25519PublicKey(pemRepresentation: String(contentsOfFile: publicPath, encoding: .utf8)) == key.publicKey)
            #expect(try permissions(of: publicPath) == 0o644)
        }
    }

    @Test func unusablePrivateKeyFileIsRefusedNamingTheFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            let publicPEM = try Ed25519PrivateKey().publicKey.pemRepresentation
            for (contents, reason) in [("not a key\n", CryptoError.notPEM(expected: "PRIVATE KEY")),
                                       ("", CryptoError.notPEM(expected: "PRIVATE KEY")),
                                       (publicPEM, CryptoError.wrongPEMLabel(expected: "PRIVATE KEY", found: "PUBLIC KEY"))] {
                try contents.write(toFile: path, atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
                #expect(throws: GatewayKeyError.invalidKey(path: path, reason: reason, publicKeyExists: false)) {
                    try GatewayKey.loadOrCreate(privateKeyPath: path)
                }
                // It is never replaced by a fresh key.
                #expect(try String(contentsOfFile: path, encoding: .utf8) == contents)
            }
            #expect(GatewayKeyError.invalidKey(path: path, reason: .notPEM(expected: "PRIVATE KEY"), publicKeyExists: false).description
                .hasPrefix("private key \(path) is not usable: not PEM: no \"-----BEGIN PRIVATE KEY-----\" line found"))
        }
    }

    /// A key torn by a crash before it was ever published (no public key beside it) is not
    /// replaced either, but the message says it is safe to move aside; one whose public key
    /// exists may have signed bags, and the message says to restore it instead.
    @Test func theRefusalSaysHowToRecover() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            try "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2Vw".write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            do {
                _ = try GatewayKey.loadOrCreate(privateKeyPath: path)
                Issue.record("a torn key was accepted")
            } catch {
                #expect("\(error)".contains("no bag was signed with it") && "\(error)".contains("mv \(path) \(path).broken"),
                        "\(error)")
            }
            try Ed25519PrivateKey().publicKey.pemRepresentation.write(toFile: directory.appendingPathComponent("gateway.pub").path,
                                                                      atomically: false, encoding: .utf8)
            do {
                _ = try GatewayKey.loadOrCreate(privateKeyPath: path)
                Issue.record("a torn key was accepted")
            } catch {
                #expect("\(error)".contains("restore it from the key backup"), "\(error)")
            }
        }
    }

    /// A process killed while writing a new key leaves only its temporary file, never a torn
    /// key under the key's name; the next start removes it and creates the key.
    @Test func aKeyCreationKilledHalfwayLeavesNoTornKey() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            // A pid that is not running: the kernel never hands out pids above pid_max (≤ 2^22).
            let abandoned = GatewayKey.temporaryPath(for: path, pid: 99_999_999)
            try "-----BEGIN PRIVATE KEY-----\nMC4C".write(toFile: abandoned, atomically: false, encoding: .utf8)
            let (key, created) = try GatewayKey.loadOrCreate(privateKeyPath: path)
            #expect(created)
            #expect(try Ed25519PrivateKey(pemRepresentation: String(contentsOfFile: path, encoding: .utf8)).publicKey == key.publicKey)
            #expect(try permissions(of: path) == 0o600)
            #expect(!FileManager.default.fileExists(atPath: abandoned))
            // Nothing but the key and its public key is left in the directory.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["gateway.key", "gateway.pub"])
        }
    }

    @Test func directoryAtTheKeyPathIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.key").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            #expect(throws: GatewayKeyError.notARegularFile(path: path)) {
                try GatewayKey.loadOrCreate(privateKeyPath: path)
            }
        }
    }

    @Test func publicKeyPathReplacesTheExtension() {
        #expect(GatewayKey.publicKeyPath(forPrivateKeyPath: "gateway.key") == "gateway.pub")
        #expect(GatewayKey.publicKeyPath(forPrivateKeyPath: "/etc/gateway/gateway.key") == "/etc/gateway/gateway.pub")
        #expect(GatewayKey.publicKeyPath(forPrivateKeyPath: "/etc/gateway/gateway") == "/etc/gateway/gateway.pub")
        #expect(GatewayKey.publicKeyPath(forPrivateKeyPath: "/etc/gateway.d/signing") == "/etc/gateway.d/signing.pub")
        #expect(GatewayKey.publicKeyPath(forPrivateKeyPath: "keys/dock-3.ed25519.pem") == "keys/dock-3.ed25519.pub")
        #expect(GatewayKey.publicKeyPath(forPrivateKeyPath: "/keys/.gateway") == "/keys/.gateway.pub")
    }

    @Test func privateKeyPathEndingInPubIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gateway.pub").path
            #expect(throws: GatewayKeyError.publicKeyPathCollides(path: path)) {
                try GatewayKey.loadOrCreate(privateKeyPath: path)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func ioErrorsNameTheFileAndTheReason() {
        let error = GatewayKeyError.io(path: "/etc/gateway/gateway.key", operation: "create", errno: EACCES)
        #expect(error.description == "cannot create /etc/gateway/gateway.key: Permission denied (errno \(EACCES))")
    }

    private func inode(of path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
    }
}
