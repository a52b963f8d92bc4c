import Foundation
@testable import S3Store
import TestSupport
import Testing

/// The client against `Tests/peers/moto stub`: a stand-in that verifies what moto does not
/// (Content-MD5, x-amz-checksum-sha256 and x-amz-content-sha256 against the body, with
/// Python's hashlib as the independent implementation; chunked bodies refused as S3 does)
/// and gives the error answers moto never gives.
@Suite struct StrictServerTests {
    final class Stub: Sendable {
        let server: ToolServer
        let endpoint: String
        let log: String

        init(tls: (cert: String, key: String)? = nil) throws {
            log = NSTemporaryDirectory() + "s3store-stub-\(UUID().uuidString).jsonl"
            var arguments = ["stub", "--log", log]
            if let tls { arguments += ["--tls-cert", tls.cert, "--tls-key", tls.key] }
            server = try ToolServer.start(arguments)
            let info = try JSONSerialization.jsonObject(with: server.readyLine) as? [String: Any]
            endpoint = try #require(info?["endpoint"] as? String)
        }

        deinit {
            server.stop()
            try? FileManager.default.removeItem(atPath: log)
        }

        func client(timeout: TimeInterval = 30, caBundle: String? = nil) throws -> S3Client {
            S3Client(endpoint: try S3Endpoint(url: endpoint, region: "us-east-1", caBundlePath: caBundle),
                     credentials: S3Credentials(accessKeyID: "AKIDSTUB", secretAccessKey: "stub-secret"), idleTimeout: timeout)
        }

        /// The requests the stub saw, oldest first.
        func requests() throws -> [[String: Any]] {
            guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
            return try text.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
    }

    /// The checksums the client computes are the ones an independent implementation
    /// computes over the bytes that arrived, and the body goes with Content-Length.
    @Test func putObjectChecksumsAreVerifiedByAnIndependentServer() async throws {
        let stub = try Stub()
        let client = try stub.client()
        let bytes = testBytes(3 * LocalFile.bufferSize + 5, seed: 11)
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip").path
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            let put = try await client.putObject(bucket: "evidence", key: "k/clip.mp4", fileAt: source)
            #expect(put.eTag == "\"\(put.sent.md5Hex)\"")
            #expect(put.checksumSHA256 == put.sent.sha256Base64)
            let request = try #require(try stub.requests().last)
            let headers = try #require(request["headers"] as? [String: String])
            #expect(request["length"] as? Int == bytes.count)
            #expect(headers["content-length"] == String(bytes.count))
            #expect(headers["transfer-encoding"] == nil)
            #expect(headers["x-amz-sdk-checksum-algorithm"] == "SHA256")
            // No 100-continue wait; the program named, as stores log it.
            #expect(headers["expect"] == nil && headers["user-agent"] == ProcessInfo.processInfo.processName + " libcurl")
            // Only what the HTTP client does not touch is signed.
            let authorization = try #require(headers["authorization"])
            #expect(authorization.contains("SignedHeaders=content-md5;content-type;host;x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm,"))
        }
    }

    /// An empty file (a recorder's empty log) is a valid object of 0 bytes.
    @Test func emptyFileIsUploadedWithContentLengthZero() async throws {
        let stub = try Stub()
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("empty.log").path
            try Data().write(to: URL(fileURLWithPath: source))
            let put = try await stub.client().putObject(bucket: "evidence", key: "k/empty.log", fileAt: source)
            #expect(put.sent == PayloadDigest(of: [UInt8]()))
            #expect(put.eTag == "\"d41d8cd98f00b204e9800998ecf8427e\"")
            let headers = try #require(try stub.requests().last?["headers"] as? [String: String])
            #expect(headers["content-length"] == "0")
        }
    }

    /// A part taken from the middle of a file carries that range's checksums.
    @Test func uploadPartFromARangeIsVerified() async throws {
        let stub = try Stub()
        let client = try stub.client()
        let bytes = testBytes(2 * LocalFile.bufferSize + 99, seed: 12)
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip").path
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            let range: Range<Int64> = 1_000..<Int64(LocalFile.bufferSize + 3_000)
            let (part, digest) = try await client.uploadPart(bucket: "evidence", key: "k/clip.mp4", uploadID: "u1", partNumber: 7,
                                                             fileAt: source, range: range)
            #expect(digest == PayloadDigest(of: bytes[1_000..<LocalFile.bufferSize + 3_000]))
            #expect(part.partNumber == 7 && part.size == Int64(range.count) && part.eTag == "\"\(digest.md5Hex)\"")
            let request = try #require(try stub.requests().last)
            #expect(request["path"] as? String == "/evidence/k/clip.mp4?partNumber=7&uploadId=u1")
        }
    }

    /// What the client refuses itself never reaches the server.
    @Test func invalidPartArgumentsAreRefusedBeforeSending() async throws {
        let stub = try Stub()
        let client = try stub.client()
        for number in [0, 10_001] {
            let error = await #expect(throws: S3Error.self) {
                try await client.uploadPart(bucket: "evidence", key: "k", uploadID: "u", partNumber: number, fileAt: "/dev/null", range: 0..<0)
            }
            #expect(error?.isPermanent == true)
        }
        await #expect(throws: S3Error.self) {
            try await client.putObjectMultipart(bucket: "evidence", key: "k", fileAt: "/dev/null", partSize: 1 << 20)
        }
        await #expect(throws: S3Error.self) { try await client.headObject(bucket: "Bad_Bucket", key: "k") }
        #expect(try stub.requests().isEmpty)
    }

    /// A redirect comes back as the answer, not followed with the signature to another host.
    @Test func redirectsAreNotFollowed() async throws {
        let stub = try Stub()
        let error = await #expect(throws: S3Error.self) {
            try await stub.client().objectLockConfiguration(bucket: "redirect")
        }
        #expect(error?.status == 301 && error?.isPermanent == true)
        #expect(error?.code == "PermanentRedirect")
        guard case .service(let service)? = error else { return }
        #expect(service.details["Location"] == "http://elsewhere.invalid/redirect?object-lock")
        #expect(try stub.requests().count == 1)
    }

    @Test func slowDownIsTransientAndAFullStoreIsOutOfStorage() async throws {
        let stub = try Stub()
        let client = try stub.client()
        let slow = await #expect(throws: S3Error.self) { try await client.headBucket("slowdown") }
        // HEAD has no body: the status alone makes it transient.
        #expect(slow?.status == 503 && slow?.isTransient == true && slow?.requestID == "stub-request")
        let slowGet = await #expect(throws: S3Error.self) { try await client.objectLockConfiguration(bucket: "slowdown") }
        #expect(slowGet?.code == "SlowDown" && slowGet?.isTransient == true)
        for bucket in ["full", "quota"] {
            let full = await #expect(throws: S3Error.self) { try await client.objectLockConfiguration(bucket: bucket) }
            #expect(full?.isOutOfStorage == true && full?.isTransient == false && full?.isPermanent == false, "\(bucket)")
        }
    }

    /// CompleteMultipartUpload can fail inside a 200.
    @Test func errorInsideA200FromCompleteIsThrown() async throws {
        let stub = try Stub()
        let error = await #expect(throws: S3Error.self) {
            try await stub.client().completeMultipartUpload(bucket: "evidence", key: "k", uploadID: "u1",
                                                           parts: [MultipartPart(partNumber: 1, eTag: "\"e\"", size: 1, checksumSHA256: "c")])
        }
        #expect(error?.status == 200 && error?.code == "InternalError" && error?.isTransient == true, "\(String(describing: error))")
        let request = try #require(try stub.requests().last)
        #expect(request["path"] as? String == "/evidence/k?uploadId=u1")
    }

    /// Nothing listening: a transient transport error naming the URL.
    @Test func connectionRefusedIsTransient() async throws {
        let port = try freeLoopbackPort()
        let client = S3Client(endpoint: try S3Endpoint(url: "http://127.0.0.1:\(port)", region: "us-east-1"),
                              credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"))
        let error = await #expect(throws: S3Error.self) { try await client.headBucket("evidence") }
        guard case .transport(let operation, let url, let code, _) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(operation == "HeadBucket" && url == "http://127.0.0.1:\(port)/evidence")
        #expect(code == URLError.cannotConnectToHost.rawValue && error?.isTransient == true)
    }

    /// The store drops the connection in the middle of a body (a restart, a reset by a proxy):
    /// each upload fails with a transient transport error, and the process lives on.
    /// (FoundationNetworking's file bodies stopped the process on such a reset about one time
    /// in five; bodies are streamed from the file by libcurl's read callback now.)
    @Test func connectionResetMidBodyIsTransient() async throws {
        let listener = try ResettingListener(readBeforeReset: 1 << 20)
        let client = S3Client(endpoint: try S3Endpoint(url: "http://127.0.0.1:\(listener.port)", region: "us-east-1"),
                              credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"), idleTimeout: 30)
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("clip.mp4").path
            try Data(testBytes(3 * Int(S3Client.minimumPartSize), seed: 11)).write(to: URL(fileURLWithPath: path))
            for round in 0..<10 {
                let put = await #expect(throws: S3Error.self) { try await client.putObject(bucket: "evidence", key: "k\(round)", fileAt: path) }
                #expect(put?.isTransient == true, "round \(round): \(String(describing: put))")
                let part = await #expect(throws: S3Error.self) {
                    try await client.uploadPart(bucket: "evidence", key: "k", uploadID: "u", partNumber: round + 1,
                                                fileAt: path, range: 0..<S3Client.minimumPartSize)
                }
                guard case .transport(let operation, _, _, _)? = part else {
                    Issue.record("round \(round): expected a transport error, got \(String(describing: part))")
                    return
                }
                #expect(operation == "UploadPart" && part?.isTransient == true)
            }
        }
        #expect(listener.resets >= 20)
    }

    /// HTTPS with a certificate no trusted CA signed: refused by libcurl, reported as a
    /// transport error (URLError.secureConnectionFailed) carrying libcurl's words about the
    /// certificate.
    @Test func untrustedCertificateIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let (cert, key) = try Self.selfSigned(in: directory, name: "server")
            let stub = try Stub(tls: (cert, key))
            #expect(stub.endpoint.hasPrefix("https://"))
            let error = await #expect(throws: S3Error.self) { try await stub.client().headBucket("evidence") }
            guard case .transport(_, _, _, let detail) = error else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(detail.lowercased().contains("certificate"), "\(detail)")
            #expect(try stub.requests().isEmpty)
        }
    }

    /// A store whose certificate is signed by a private CA: trusted when that CA is the
    /// configured bundle, refused when another CA is, and nothing reaches the server then.
    @Test func aConfiguredCAIsTrustedAndAWrongOneRefused() async throws {
        try await withTemporaryDirectory { directory in
            let (cert, key) = try Self.selfSigned(in: directory, name: "server")
            let (other, _) = try Self.selfSigned(in: directory, name: "other")
            let stub = try Stub(tls: (cert, key))
            let wrong = await #expect(throws: S3Error.self) { try await stub.client(caBundle: other).headBucket("evidence") }
            guard case .transport(_, _, let code, let detail)? = wrong else {
                Issue.record("expected a transport error, got \(String(describing: wrong))")
                return
            }
            #expect(code == URLError.secureConnectionFailed.rawValue && detail.lowercased().contains("certificate"), "\(detail)")
            #expect(try stub.requests().isEmpty)
            _ = try await stub.client(caBundle: cert).headBucket("evidence")
            #expect(try stub.requests().count == 1)
        }
    }

    /// A self-signed certificate for 127.0.0.1 (its own CA) and its key, made by openssl.
    static func selfSigned(in directory: URL, name: String) throws -> (cert: String, key: String) {
        let cert = directory.appendingPathComponent("\(name).pem").path, key = directory.appendingPathComponent("\(name)-key.pem").path
        let made = try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                                "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                                                "-addext", "subjectAltName=IP:127.0.0.1"])
        try #require(made.status == 0, "openssl req failed: \(made.errorOutput)")
        return (cert, key)
    }

    /// A file that changes after its part was hashed and signed, while it is being sent, never
    /// reaches the server whole: the request is aborted before its last byte and the error
    /// says the file changed.
    @Test func aFileChangedWhileBeingSentIsNeverReceivedWhole() async throws {
        let stub = try Stub()
        let client = try stub.client()
        let bytes = testBytes(3 * LocalFile.bufferSize, seed: 13)
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip").path
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            let range: Range<Int64> = 0..<Int64(bytes.count)
            let seen = Counter()
            let error = await #expect(throws: S3Error.self) {
                try await client.uploadPart(bucket: "evidence", key: "k/clip.mp4", uploadID: "u1", partNumber: 1,
                                            fileAt: source, range: range, reading: { chunk in
                    for _ in 0..<chunk.count / 1024 { seen.add() }
                    // The whole part has been hashed: change one byte before it is sent.
                    if seen.value == bytes.count / 1024, let handle = FileHandle(forWritingAtPath: source) {
                        handle.seek(toFileOffset: UInt64(bytes.count - 10))
                        handle.write(Data([bytes[bytes.count - 10] ^ 1]))
                        handle.closeFile()
                    }
                })
            }
            guard case .invalidRequest(_, let detail)? = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("changed"), "\(detail)")
            #expect(try stub.requests().allSatisfy { ($0["length"] as? Int) != bytes.count })
        }
    }

    /// Cancelling the task cancels the request.
    @Test func cancellationStopsTheRequest() async throws {
        // A listener that accepts and never answers.
        let listener = try SilentListener()
        let client = S3Client(endpoint: try S3Endpoint(url: "http://127.0.0.1:\(listener.port)", region: "us-east-1"),
                              credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"), idleTimeout: 60)
        let task = Task { try await client.headBucket("evidence") }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        // No time bound (a busy host is slow): the listener never answers and the idle timeout
        // is 60 s, so only a cancelled request ends with URLError.cancelled rather than a timeout.
        let result = await task.result
        guard case .failure(let error) = result, case .transport(_, _, let code, _)? = error as? S3Error else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
        #expect(code == URLError.cancelled.rawValue)
    }
}

/// A loopback port nothing listens on (it was free a moment ago).
func freeLoopbackPort() throws -> Int {
    let (fd, port) = try listeningLoopbackSocket()
    close(fd)
    return port
}

/// A socket listening on a free loopback port: its descriptor and the port.
func listeningLoopbackSocket() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    if !ok { close(fd) }
    try #require(ok, "cannot listen on loopback")
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A loopback socket that accepts connections and never reads or answers.
final class SilentListener: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        (fd, port) = try listeningLoopbackSocket()
    }

    deinit { close(fd) }
}

/// A loopback server that reads the first `readBeforeReset` bytes of each connection, then
/// resets it (SO_LINGER 0, so the peer sees ECONNRESET), as a store that dies mid-upload.
final class ResettingListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let counter = Counter()

    /// Connections reset so far.
    var resets: Int { counter.value }

    init(readBeforeReset: Int) throws {
        let (fd, port) = try listeningLoopbackSocket()
        self.fd = fd
        self.port = port
        // The thread holds the socket and the counter, not self, so deinit can stop it.
        let counter = self.counter
        let thread = Thread {
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 { return }  // the listening socket was closed
                var buffer = [UInt8](repeating: 0, count: 65536)
                var read = 0
                while read < readBeforeReset {
                    let got = recv(connection, &buffer, buffer.count, 0)
                    if got <= 0 { break }
                    read += got
                }
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                close(connection)
                counter.add()
            }
        }
        thread.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

/// The test servers themselves: started on a free port, gone when stopped, and a clear
/// message when they cannot start.
@Suite struct ToolServerTests {
    @Test func motoStartsOnAFreePortAndStops() async throws {
        let moto = try MotoServer.start()
        #expect(moto.info.endpoint == "http://127.0.0.1:\(moto.info.port)")
        let client = try moto.client()
        #expect(try await client.objectLockConfiguration(bucket: moto.info.bucket)?.enabled == true)
        moto.stop()
        #expect(!moto.server.isRunning)
        let error = await #expect(throws: S3Error.self) { try await client.headBucket(moto.info.bucket) }
        #expect(error?.isTransient == true && error?.status == nil)
    }

    @Test func aServerThatCannotStartSaysWhy() {
        let error = #expect(throws: ToolServerError.self) { try MotoServer.start(python: "python3-that-does-not-exist") }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("python3-that-does-not-exist Tests/peers/moto serve"))
        #expect(text.contains("exited with status 127"))
        #expect(text.contains("pip install 'moto[server]' boto3"))
    }
}
