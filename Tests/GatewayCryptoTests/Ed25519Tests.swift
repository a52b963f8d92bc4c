import GatewayCrypto
import Testing

@Suite struct Ed25519Tests {
    /// RFC 8032 §7.1 TEST 1 and TEST 2.
    static let vectors: [(secret: String, publicKey: String, message: String, signature: String)] = [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
         "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
         "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ]

    @Test(arguments: 0..<2) func rfc8032Vectors(index: Int) throws {
        let v = Self.vectors[index]
        let key = try Ed25519PrivateKey(rawRepresentation: try #require(bytes(fromHex: v.secret)))
        let message = try #require(bytes(fromHex: v.message))
        #expect(hexString(key.publicKey.rawRepresentation) == v.publicKey)
        #expect(hexString(try key.signature(for: message)) == v.signature)
        let publicKey = try Ed25519PublicKey(rawRepresentation: try #require(bytes(fromHex: v.publicKey)))
        #expect(publicKey == key.publicKey)
        #expect(publicKey.isValidSignature(try #require(bytes(fromHex: v.signature)), for: message))
    }

    @Test func signAndVerifyRoundTrip() throws {
        let key = try Ed25519PrivateKey()
        let message = Array("custody record: session 42, 3 files, sha256 …".utf8)
        let signature = try key.signature(for: message)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        // Deterministic: the same key and message give the same signature.
        #expect(try key.signature(for: message) == signature)
        // Another key does not verify it.
        #expect(!(try Ed25519PrivateKey()).publicKey.isValidSignature(signature, for: message))
        // Keys made from the raw secret are the same key.
        let again = try Ed25519PrivateKey(rawRepresentation: key.rawRepresentation)
        #expect(again.publicKey == key.publicKey)
        #expect(try again.signature(for: message) == signature)
    }

    @Test func anyFlippedBitFailsVerification() throws {
        let key = try Ed25519PrivateKey()
        let message = Array("dock 3, recorder ZFY-0042, 2024-05-01T10:00:00Z".utf8)
        let signature = try key.signature(for: message)
        for bit in 0..<(message.count * 8) {
            var tampered = message
            tampered[bit / 8] ^= 1 << (bit % 8)
            #expect(!key.publicKey.isValidSignature(signature, for: tampered), "message bit \(bit)")
        }
        for bit in 0..<(signature.count * 8) {
            var tampered = signature
            tampered[bit / 8] ^= 1 << (bit % 8)
            #expect(!key.publicKey.isValidSignature(tampered, for: message), "signature bit \(bit)")
        }
        #expect(!key.publicKey.isValidSignature(Array(signature.dropLast()), for: message))
        #expect(!key.publicKey.isValidSignature(signature + [0], for: message))
        #expect(!key.publicKey.isValidSignature([], for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
    }

    @Test func wrongRawLengthsAreRefused() {
        #expect(throws: CryptoError.wrongKeyLength(what: "Ed25519 private key", expected: 32, actual: 31)) {
            try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.wrongKeyLength(what: "Ed25519 public key", expected: 32, actual: 33)) {
            try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 33))
        }
    }

    @Test func pemRoundTrips() throws {
        let key = try Ed25519PrivateKey()
        let pem = key.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let loaded = try Ed25519PrivateKey(pemRepresentation: pem)
        #expect(loaded.rawRepresentation == key.rawRepresentation)
        #expect(loaded.publicKey == key.publicKey)

        let publicPEM = key.publicKey.pemRepresentation
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(publicPEM.hasSuffix("-----END PUBLIC KEY-----\n"))
        #expect(try Ed25519PublicKey(pemRepresentation: publicPEM) == key.publicKey)
    }

    @Test func rfc8032KeyHasTheStandardPKCS8AndSPKIEncoding() throws {
        // RFC 8410 §10.3 fixes the DER; checking it against the RFC 8032 key pins the encoding
        // independently of libcrypto's own round trip.
        let key = try Ed25519PrivateKey(rawRepresentation: try #require(bytes(fromHex: Self.vectors[0].secret)))
        #expect(key.pemRepresentation == """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
            -----END PRIVATE KEY-----

            """)
        #expect(key.publicKey.pemRepresentation == """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
            -----END PUBLIC KEY-----

            """)
    }

    @Test func pemIsAcceptedWithSurroundingTextAndCRLF() throws {
        let key = try Ed25519PrivateKey()
        let crlf = key.pemRepresentation.split(separator: "\n").joined(separator: "\r\n") + "\r\n"
        #expect(try Ed25519PrivateKey(pemRepresentation: "gateway key, dock 3\n" + crlf + "trailer\n").publicKey == key.publicKey)
        let publicCRLF = key.publicKey.pemRepresentation.split(separator: "\n").joined(separator: "\r\n")
        #expect(try Ed25519PublicKey(pemRepresentation: publicCRLF) == key.publicKey)
    }

    @Test func garbagePEMSaysWhatWasWrong() throws {
        let key = try Ed25519PrivateKey()
        #expect(throws: CryptoError.notPEM(expected: "PRIVATE KEY")) {
            try Ed25519PrivateKey(pemRepresentation: "this is not a key")
        }
        #expect(throws: CryptoError.notPEM(expected: "PUBLIC KEY")) {
            try Ed25519PublicKey(pemRepresentation: "")
        }
        #expect(throws: CryptoError.wrongPEMLabel(expected: "PRIVATE KEY", found: "PUBLIC KEY")) {
            try Ed25519PrivateKey(pemRepresentation: key.publicKey.pemRepresentation)
        }
        #expect(throws: CryptoError.wrongPEMLabel(expected: "PUBLIC KEY", found: "PRIVATE KEY")) {
            try Ed25519PublicKey(pemRepresentation: key.pemRepresentation)
        }
        #expect(throws: CryptoError.wrongPEMLabel(expected: "PRIVATE KEY", found: "ENCRYPTED PRIVATE KEY")) {
            try Ed25519PrivateKey(pemRepresentation: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
        }

        // Damaged base64, a truncated block and a missing END line are "malformed".
        let damaged = key.pemRepresentation.replacing("MC4C", with: "M!4C", maxReplacements: 1)
        let truncated = key.pemRepresentation.split(separator: "\n").enumerated()
            .map { $0.offset == 1 ? String($0.element.prefix(20)) : String($0.element) }.joined(separator: "\n")
        let unterminated = String(key.pemRepresentation.split(separator: "\n").dropLast().joined(separator: "\n"))
        for pem in [damaged, truncated, unterminated] {
            do {
                _ = try Ed25519PrivateKey(pemRepresentation: pem)
                Issue.record("accepted a damaged PEM: \(pem)")
            } catch {
                guard case .malformedPEM(label: "PRIVATE KEY", _) = error else {
                    Issue.record("wrong error \(error) for \(pem)")
                    continue
                }
                #expect(error.description.hasPrefix("PEM \"PRIVATE KEY\" block cannot be decoded: "))
            }
        }

        // A well-formed key of another algorithm: RFC 8410 §10.3's example key with its OID
        // changed from Ed25519 (1.3.101.112) to X25519 (1.3.101.110).
        let x25519 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n"
        #expect(throws: CryptoError.notEd25519(algorithm: "X25519")) {
            try Ed25519PrivateKey(pemRepresentation: x25519)
        }
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(CryptoError.notPEM(expected: "PRIVATE KEY").description == "not PEM: no \"-----BEGIN PRIVATE KEY-----\" line found")
        #expect(CryptoError.wrongPEMLabel(expected: "PRIVATE KEY", found: "ENCRYPTED PRIVATE KEY").description.contains("passphrase-protected"))
        #expect(CryptoError.wrongPEMLabel(expected: "PRIVATE KEY", found: "EC PRIVATE KEY").description.contains("PKCS#8"))
        #expect(CryptoError.wrongPEMLabel(expected: "PRIVATE KEY", found: "PUBLIC KEY").description.contains("this is a public key"))
        #expect(CryptoError.notEd25519(algorithm: "RSA").description == "the key is RSA, not Ed25519")
    }

    @Test func privateKeyDescriptionDoesNotShowTheSecret() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: try #require(bytes(fromHex: Self.vectors[0].secret)))
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(reflecting: key), dumped] {
            #expect(!text.contains(Self.vectors[0].secret), "\(text)")
            #expect(!text.contains("secret"), "\(text)")
            #expect(text.contains(Self.vectors[0].publicKey), "\(text)")
        }
    }
}
