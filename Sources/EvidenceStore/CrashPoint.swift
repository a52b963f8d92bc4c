import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Named places where the gateway can be killed on purpose, for the tests that prove a stop at
/// any step loses nothing (Tools/faults, Tests/cli/gateway.sh), in the manner of SQLite's
/// fault-injection hooks rather than a kill after a guessed sleep.
///
/// Compiled into debug (test) builds only: a release build ignores the variables. In a debug
/// build, `RECORDER_GATEWAY_CRASH_AT=<name>` makes the process SIGKILL itself the first time
/// it reaches `<name>`, and `RECORDER_GATEWAY_DISK_FULL_AT=<name>` makes the store's disk full
/// from there on: every later write, mkdir, create and rename in the store fails with ENOSPC,
/// as on a real full disk (the journal, a separate SQLite file, is not affected).
public enum CrashPoint: String, CaseIterable, Sendable {
    /// A file's durable offset was just recorded (every 64 MiB and at each file's end).
    case offsetRecorded = "offset-recorded"
    /// A file's verdict (staged, quarantined, incomplete) was just recorded.
    case fileRecorded = "file-recorded"
    /// The sealed bag was just renamed into bags/; the ledger does not know yet.
    case bagRenamed = "bag-renamed"
    /// The ledger commit is durable; the audit log does not name the bag yet.
    case bagCommitted = "bag-committed"
    /// The `bag-finalized` entry is durable; the journal does not know yet.
    case bagAudited = "bag-audited"
    /// A recording was just released on the recorder; the ledger does not know yet.
    case released = "released"

    #if DEBUG
    private static let armed: String? = ProcessInfo.processInfo.environment["RECORDER_GATEWAY_CRASH_AT"]
    private static let diskFullAt: String? = ProcessInfo.processInfo.environment["RECORDER_GATEWAY_DISK_FULL_AT"]
    private static let full = DiskFullFlag()
    #endif

    /// Kills the process here, or fills the disk from here on, when this point is armed
    /// (debug builds only).
    @inline(__always)
    public func reached() {
        #if DEBUG
        if let armed = CrashPoint.armed, armed == rawValue {
            kill(getpid(), SIGKILL)
        }
        if let at = CrashPoint.diskFullAt, at == rawValue {
            CrashPoint.full.set()
        }
        #endif
    }

    /// ENOSPC when a test made the disk full (`RECORDER_GATEWAY_DISK_FULL_AT`); nil otherwise,
    /// and always nil in a release build.
    @inline(__always)
    static func injectedDiskFull() -> Int32? {
        #if DEBUG
        return CrashPoint.full.isSet ? ENOSPC : nil
        #else
        return nil
        #endif
    }
}

#if DEBUG
/// Set once, read from any thread.
private final class DiskFullFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
#endif
