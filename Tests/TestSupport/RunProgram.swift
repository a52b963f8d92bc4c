import Foundation

/// How a program run to completion ended, and what it wrote.
public struct CommandResult: Sendable {
    public var status: Int32
    /// Standard output; with `mergingErrors`, standard output and error as they interleaved.
    public var output: String
    /// Standard error; empty with `mergingErrors`.
    public var errorOutput: String
}

/// Runs `executable arguments…` to completion and returns its exit status and output.
///
/// Standard input is `input` (then closed), or /dev/null. Both output pipes are read while the
/// program runs, so a chatty program cannot block on a full pipe and a program that reads its
/// input late cannot block the test. `directory` is the working directory (default: ours).
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: URL? = nil, input: Data? = nil, mergingErrors: Bool = false) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    let output = Pipe(), errorOutput = Pipe()
    process.standardOutput = output
    process.standardError = mergingErrors ? output : errorOutput
    let standardInput = input.map { _ in Pipe() }
    process.standardInput = standardInput ?? FileHandle.nullDevice
    try process.run()
    if let input, let standardInput {
        Thread {
            try? standardInput.fileHandleForWriting.write(contentsOf: input)
            try? standardInput.fileHandleForWriting.close()
        }.start()
    }
    let errorData = HandOff()
    if mergingErrors {
        errorData.set(Data())
    } else {
        Thread { errorData.set(errorOutput.fileHandleForReading.readDataToEndOfFile()) }.start()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         output: String(decoding: outputData, as: UTF8.self),
                         errorOutput: String(decoding: errorData.wait(), as: UTF8.self))
}

/// Data handed from one thread to another: `wait()` returns once `set` has been called.
private final class HandOff: @unchecked Sendable {
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var data = Data()
    func set(_ value: Data) {
        lock.lock(); data = value; lock.unlock()
        ready.signal()
    }
    func wait() -> Data {
        ready.wait()
        lock.lock(); defer { lock.unlock() }
        return data
    }
}
