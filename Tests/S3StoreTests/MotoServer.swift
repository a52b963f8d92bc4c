import Foundation
import S3Store
import TestSupport
import Testing

/// A `Tests/peers/moto` subcommand that serves until its standard input closes, having printed one
/// line of JSON describing itself.
///
/// The server lives as long as the pipe to the script's standard input: `stop()` closes it,
/// and if the test process dies the kernel closes it, so no server outlives its tests.
final class ToolServer: @unchecked Sendable {
    /// The JSON line the script printed when ready.
    let readyLine: Data
    private let process: Process
    private let input: Pipe
    private let lock = NSLock()
    private var stopped = false

    static let script = packageRoot.appendingPathComponent("Tests/peers/moto").path

    /// Runs `python Tests/peers/moto arguments…` and waits for its line of JSON.
    static func start(_ arguments: [String], python: String = "python3") throws(ToolServerError) -> ToolServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script] + arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let command = "\(python) Tests/peers/moto \(arguments.joined(separator: " "))"
        do { try process.run() } catch { throw ToolServerError(command: command, detail: "cannot run it: \(error)") }
        // The first line of standard output is the JSON; EOF before it means the script failed.
        var line = Data()
        let reader = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let newline = line.firstIndex(of: UInt8(ascii: "\n")),
              (try? JSONSerialization.jsonObject(with: line[..<newline])) != nil else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ToolServerError(command: command, detail: "it exited with status \(process.terminationStatus) before it was ready.\n"
                + "stdout: \(String(decoding: line, as: UTF8.self))\nstderr: \(stderr)")
        }
        // Keep draining, so no pipe fills and blocks the script.
        Thread { _ = try? output.fileHandleForReading.readToEnd() }.start()
        Thread { _ = try? errors.fileHandleForReading.readToEnd() }.start()
        return ToolServer(readyLine: Data(line[..<newline]), process: process, input: input)
    }

    private init(readyLine: Data, process: Process, input: Pipe) {
        self.readyLine = readyLine
        self.process = process
        self.input = input
    }

    /// Closes the script's standard input and waits for it to exit (it stops its server first).
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    var isRunning: Bool { process.isRunning }
}

/// Why a `Tests/peers/moto` server could not be started, with the script's output.
struct ToolServerError: Error, CustomStringConvertible {
    var command: String
    var detail: String
    var description: String {
        "cannot start `\(command)` for the S3 tests: \(detail)\n"
            + "It needs moto[server] and boto3: `python3 -m pip install 'moto[server]' boto3`"
    }
}

/// A moto S3 server for the tests that need a real one, run by `Tests/peers/moto serve`: a free
/// loopback port, SigV4 checked, an IAM key, a bucket with Object Lock and one without.
final class MotoServer: Sendable {
    struct Info: Decodable {
        var endpoint: String
        var port: Int
        var pid: Int32
        var region: String
        var accessKeyId: String
        var secretAccessKey: String
        var bucket: String
        var plainBucket: String
    }

    let info: Info
    let server: ToolServer
    static var script: String { ToolServer.script }

    /// The server the moto tests share, started by the first test that asks (moto takes
    /// seconds to start) and stopped when the test process exits and the pipe closes.
    static let shared: Result<MotoServer, ToolServerError> = Result { () throws(ToolServerError) in try MotoServer.start() }

    /// The shared server, or a test failure saying why there is none.
    static func require() throws -> MotoServer {
        switch shared {
        case .success(let server): return server
        case .failure(let error):
            Issue.record("\(error)")
            throw error
        }
    }

    /// Starts a moto of its own.
    static func start(python: String = "python3") throws(ToolServerError) -> MotoServer {
        let server = try ToolServer.start(["serve"], python: python)
        do {
            return MotoServer(info: try JSONDecoder().decode(Info.self, from: server.readyLine), server: server)
        } catch {
            server.stop()
            throw ToolServerError(command: "Tests/peers/moto serve", detail: "unexpected line \(String(decoding: server.readyLine, as: UTF8.self)): \(error)")
        }
    }

    private init(info: Info, server: ToolServer) {
        self.info = info
        self.server = server
    }

    func stop() { server.stop() }

    var credentials: S3Credentials { S3Credentials(accessKeyID: info.accessKeyId, secretAccessKey: info.secretAccessKey) }

    /// A client for this server; `secret` replaces the real secret when given.
    func client(addressing: S3Endpoint.Addressing = .path, host: String = "127.0.0.1", secret: String? = nil) throws -> S3Client {
        let endpoint = try S3Endpoint(url: "http://\(host):\(info.port)", region: info.region, addressing: addressing)
        let credentials = S3Credentials(accessKeyID: info.accessKeyId, secretAccessKey: secret ?? info.secretAccessKey)
        return S3Client(endpoint: endpoint, credentials: credentials, idleTimeout: 30)
    }

    /// Uploads `path` with boto3; nil on success, else the S3 error code.
    func uploadWithBoto3(key: String, from path: String) throws -> String? {
        let result = try run("/usr/bin/env", ["python3", Self.script, "put", "--endpoint", info.endpoint,
                                              "--access-key-id", info.accessKeyId, "--secret-access-key", info.secretAccessKey,
                                              "--bucket", info.bucket, "--key", key, "--file", path])
        if result.status == 0 { return nil }
        try #require(result.status == 2, "boto3 upload of \(key) failed: \(result.errorOutput)")
        return result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The object's bytes as boto3, an independent client, downloads them.
    func download(key: String, versionID: String? = nil, bucket: String? = nil, to path: String) throws {
        var arguments = ["python3", Self.script, "get", "--endpoint", info.endpoint, "--access-key-id", info.accessKeyId,
                         "--secret-access-key", info.secretAccessKey, "--bucket", bucket ?? info.bucket, "--key", key, "--out", path]
        if let versionID { arguments += ["--version-id", versionID] }
        let result = try run("/usr/bin/env", arguments)
        try #require(result.status == 0, "boto3 download of \(key) failed: \(result.errorOutput)")
    }
}
