import Foundation
import GatewayCrypto
import TestSupport
import Testing

/// Checks against the stock openssl command-line tool: a reviewer with nothing but openssl
/// must be able to verify what the gateway signs, and a key an operator provisions with
/// openssl must work in the gateway.
@Suite struct OpenSSLInteropTests {
    static let message = Array("custody record: dock 3, session 2024-05-01T10:00:00Z, 3 files\n".utf8)

    @Test func opensslVerifiesTheGatewaysSignatureWithTheGatewayPub() throws {
        try withTemporaryDirectory { directory in
            let key = try GatewayKey.loadOrCreate(privateKeyPath: directory.appendingPathComponent("gateway.key").path).key
            try Data(Self.message).write(to: directory.appendingPathComponent("msg"))
            try Data(try key.signature(for: Self.message)).write(to: directory.appendingPathComponent("sig"))

            let verify = ["pkeyutl", "-verify", "-pubin", "-inkey", "gateway.pub", "-rawin", "-in", "msg", "-sigfile", "sig"]
            let good = try runOpenSSL(verify, in: directory)
            #expect(good.status == 0, "\(good.errorOutput)")
            #expect(good.output.contains("Signature Verified Successfully"))

            // And openssl is really checking: a changed message fails.
            try Data(Self.message + [0x20]).write(to: directory.appendingPathComponent("msg"))
            let bad = try runOpenSSL(verify, in: directory)
            #expect(bad.status != 0)
            #expect(!bad.output.contains("Signature Verified Successfully"))

            // openssl reads the private key file too, and derives the same public key.
            let derived = try runOpenSSL(["pkey", "-in", "gateway.key", "-pubout"], in: directory)
            #expect(derived.status == 0, "\(derived.errorOutput)")
            #expect(derived.output == key.publicKey.pemRepresentation)
        }
    }

    @Test func keyGeneratedByOpenSSLSignsWhatOpenSSLVerifies() throws {
        try withTemporaryDirectory { directory in
            let generate = try runOpenSSL(["genpkey", "-algorithm", "ed25519", "-out", "gateway.key"], in: directory)
            #expect(generate.status == 0, "\(generate.errorOutput)")
            let keyPath = directory.appendingPathComponent("gateway.key").path
            let key = try Ed25519PrivateKey(pemRepresentation: String(contentsOfFile: keyPath, encoding: .utf8))

            try Data(Self.message).write(to: directory.appendingPathComponent("msg"))
            let signature = try key.signature(for: Self.message)
            try Data(signature).write(to: directory.appendingPathComponent("sig"))
            let verify = try runOpenSSL(["pkeyutl", "-verify", "-inkey", "gateway.key", "-rawin", "-in", "msg", "-sigfile", "sig"], in: directory)
            #expect(verify.status == 0, "\(verify.errorOutput)")
            #expect(verify.output.contains("Signature Verified Successfully"))

            // Ed25519 is deterministic, so openssl's own signature is the same bytes, and it verifies here.
            let sign = try runOpenSSL(["pkeyutl", "-sign", "-inkey", "gateway.key", "-rawin", "-in", "msg", "-out", "opensslsig"], in: directory)
            #expect(sign.status == 0, "\(sign.errorOutput)")
            let opensslSignature = try [UInt8](Data(contentsOf: directory.appendingPathComponent("opensslsig")))
            #expect(opensslSignature == signature)
            #expect(key.publicKey.isValidSignature(opensslSignature, for: Self.message))

            // openssl's public key PEM is the one the gateway writes.
            let pub = try runOpenSSL(["pkey", "-in", "gateway.key", "-pubout"], in: directory)
            #expect(try Ed25519PublicKey(pemRepresentation: pub.output) == key.publicKey)
            #expect(pub.output == key.publicKey.pemRepresentation)

            // An operator-provisioned key (openssl writes it 0600) is taken as the gateway key,
            // and its .pub is written beside it.
            let loaded = try GatewayKey.loadOrCreate(privateKeyPath: keyPath)
            #expect(!loaded.created && loaded.key.rawRepresentation == key.rawRepresentation)
            #expect(try String(contentsOf: directory.appendingPathComponent("gateway.pub"), encoding: .utf8) == pub.output)
        }
    }

    @Test func otherKindsOfOpenSSLKeysAreRefusedClearly() throws {
        try withTemporaryDirectory { directory in
            let ec = try runOpenSSL(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], in: directory)
            #expect(ec.status == 0, "\(ec.errorOutput)")
            #expect(throws: CryptoError.notEd25519(algorithm: "EC")) { try Ed25519PrivateKey(pemRepresentation: ec.output) }

            let ed448 = try runOpenSSL(["genpkey", "-algorithm", "ed448"], in: directory)
            #expect(ed448.status == 0, "\(ed448.errorOutput)")
            #expect(throws: CryptoError.notEd25519(algorithm: "ED448")) { try Ed25519PrivateKey(pemRepresentation: ed448.output) }

            let encrypted = try runOpenSSL(["genpkey", "-algorithm", "ed25519", "-aes256", "-pass", "pass:dock3"], in: directory)
            #expect(encrypted.status == 0, "\(encrypted.errorOutput)")
            #expect(throws: CryptoError.wrongPEMLabel(expected: "PRIVATE KEY", found: "ENCRYPTED PRIVATE KEY")) {
                try Ed25519PrivateKey(pemRepresentation: encrypted.output)
            }
        }
    }
}
