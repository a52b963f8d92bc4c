import Foundation

/// A simulated recorder running in a process of its own (`recorder-sim serve SCENARIO --serial S
/// --keep-link`), reached through two pipes: the device's standard input and output. Its CPU
/// is not the caller's, so a benchmark can measure the gateway alone, and the link model runs
/// on the device's side, as the in-process bus runs it.
///
/// The caller's ends of the pipes are close-on-exec, so no other child holds them open, and the
/// device gets no descriptor of the caller's but its standard input, output and error; SIGPIPE
/// is ignored so that a device that died fails a write instead of killing the caller.
public final class DeviceProcess: @unchecked Sendable {
    public let pid: pid_t
    /// Where requests go: the device's standard input.
    let toDevice: Int32
    /// Where replies come from: the device's standard output.
    let fromDevice: Int32
    private let lock = NSLock()
    private var inputOpen = true
    private var reaped = false

    /// Starts `command serve SCENARIO --serial SERIAL --keep-link` (the device's standard error
    /// is the caller's).
    ///
    /// - Throws: `DeviceProcessError` when the pipes or the process cannot be made.
    public init(command: String, scenario: String, serial: String) throws(DeviceProcessError) {
        signal(SIGPIPE, SIG_IGN)
        var down: [Int32] = [-1, -1]
        var up: [Int32] = [-1, -1]
        guard pipe(&down) == 0 else { throw DeviceProcessError("pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&up) == 0 else {
            Glibc.close(down[0]); Glibc.close(down[1])
            throw DeviceProcessError("pipe: \(String(cString: strerror(errno)))")
        }
        // Close-on-exec at once (pipe2 is not in Glibc's Swift overlay): the spawn's dup2 onto
        // 0 and 1 clears it for the device's own ends only.
        for fd in down + up { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // A READ reply of 1 MiB in one pipe buffer where the system allows it: fewer wake-ups
        // (F_SETPIPE_SZ, Linux's 1031, which the overlay does not export).
        _ = fcntl(up[1], 1031, Int32(1 << 20))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, down[0], 0)
        posix_spawn_file_actions_adddup2(&actions, up[1], 1)
        // Nothing else of ours: posix_spawn passes on every descriptor not marked close-on-exec
        // (another child's pipe, a test server's socket, the store's lock file), and a device
        // holding the write end of someone else's pipe keeps that reader from ever seeing the
        // end of its input. A whole test run once hung on such a cycle.
        _ = Self.addCloseFrom?(&actions, 3)
        let argv = [command, "serve", scenario, "--serial", serial, "--keep-link"]
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, command, &actions, nil, &cArgs, environ)
        Glibc.close(down[0])
        Glibc.close(up[1])
        guard rc == 0 else {
            Glibc.close(down[1]); Glibc.close(up[0])
            throw DeviceProcessError("cannot start \(command): \(String(cString: strerror(rc)))")
        }
        pid = child
        toDevice = down[1]
        fromDevice = up[0]
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at run time
    /// because Glibc's Swift overlay does not export it; nil on an older C library, where the
    /// device inherits what the caller left open.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Sends one message to the device; false once its input is closed or the device is gone.
    func send(_ bytes: [UInt8]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard inputOpen else { return false }
        return FramedPipe.write(bytes, to: toDevice)
    }

    /// The device's next message (blocking).
    func receive() -> FramedPipe.Read { FramedPipe.read(fromDevice) }

    /// Ends the device's input, so it exits, and reaps it on a thread of its own. Idempotent.
    func finish() {
        lock.lock()
        let wasOpen = inputOpen
        inputOpen = false
        // The write end is closed under the lock `send` holds while writing: never mid-write.
        if wasOpen { Glibc.close(toDevice) }
        lock.unlock()
        guard wasOpen else { return }
        let pid = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    deinit {
        finish()
        // Only now: a reader blocked on it sees end of input when the device exits, and no
        // read can come after this on a number the system may have given to another file.
        Glibc.close(fromDevice)
    }
}

/// A device process could not be started.
public struct DeviceProcessError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
