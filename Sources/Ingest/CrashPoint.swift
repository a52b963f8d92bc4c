import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Named places where the gateway can be killed on purpose, for the tests that prove a stop at
/// any step loses nothing (Tools/faults, Tests/cli/gateway.sh), in the manner of SQLite's
/// fault-injection hooks rather than a kill after a guessed sleep.
///
/// Compiled into debug (test) builds only: a release build ignores the variable. In a debug
/// build, `RECORDER_GATEWAY_CRASH_AT=<name>` makes the process SIGKILL itself the first time
/// it reaches `<name>`.
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
    #endif

    /// Kills the process here when this point is armed (debug builds only).
    @inline(__always)
    public func reached() {
        #if DEBUG
        if let armed = CrashPoint.armed, armed == rawValue {
            kill(getpid(), SIGKILL)
        }
        #endif
    }
}
