import MassStorageProtocol
import RecorderHAL

/// Why a mass-storage operation failed, what the transport did about it, and the context each
/// layer added: `READ(10) lba 2048 ×2048: CSW tag 7 where 6 was sent: reset recovery done`.
public struct MassStorageError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The USB transport failed (timed out, stalled after the halt was cleared, gone).
        case link(LinkError)
        /// The status wrapper was not valid (BOT §6.3.1): wrong length, signature or tag.
        case invalidStatus(String)
        /// The status wrapper was valid but not meaningful (§6.3.2): a status above 2, or a
        /// residue larger than the data the command asked for.
        case statusNotMeaningful(String)
        /// The device answered "phase error" (bCSWStatus 2): it lost track of the command.
        case phaseError
        /// The command ended in CHECK CONDITION; the sense when REQUEST SENSE returned one.
        case commandFailed(SenseData?)
        /// MEDIUM ERROR on a read: the blocks `blocks` were asked for, the sense may name the
        /// first that could not be read.
        case mediumError(blocks: Range<UInt64>, sense: SenseData)
        /// The unit stayed NOT READY ("becoming ready", or failing TEST UNIT READY with no
        /// sense) through every poll allowed.
        case notReady(SenseData?, polls: Int)
        /// NOT READY 3A: no medium (no card in the recorder).
        case mediumNotPresent(SenseData)
        /// UNIT ATTENTION kept coming after the retries allowed.
        case unitAttentionPersisted(SenseData, attempts: Int)
        /// UNIT ATTENTION 28 after the disk was opened: the medium may be another one now.
        case mediumChanged(SenseData)
        /// A command that passed delivered fewer bytes than the read needs.
        case shortData(received: Int, expected: Int)
        /// A reply's bytes could not be used.
        case malformedReply(SCSIReplyError)
        /// INQUIRY names something that is not a block device (a CD-ROM LUN, no device).
        case notABlockDevice(String)
        /// The caller asked for blocks or a LUN the device does not have.
        case outOfRange(String)
        /// An earlier reset recovery failed: the device's state is unknown, nothing more is sent.
        case transportUnusable(LinkError)
        /// The task was cancelled between commands (a command under way is never cut short:
        /// BOT cannot abort one without a reset).
        case cancelled
    }

    /// What the transport did after the failure (BOT §5.3.4).
    public enum Recovery: Hashable, Sendable {
        /// Nothing was needed (or possible: the device is gone).
        case none
        /// Reset recovery was done: the device is ready for the next command.
        case resetDone
        /// Reset recovery failed: the transport is unusable from now on.
        case resetFailed(LinkError)
    }

    public var reason: Reason
    public var recovery: Recovery
    /// Outermost first.
    public var context: [String]

    public init(_ reason: Reason, recovery: Recovery = .none, context: [String] = []) {
        self.reason = reason
        self.recovery = recovery
        self.context = context
    }

    /// The same error with `outer` put in front of its context.
    public func context(_ outer: String) -> MassStorageError {
        MassStorageError(reason, recovery: recovery, context: [outer] + context)
    }

    /// True when the device is gone (unplugged or reset): the dock ends and resumes later.
    public var isDeviceGone: Bool {
        reason == .link(.deviceGone) || recovery == .resetFailed(.deviceGone) || reason == .transportUnusable(.deviceGone)
    }

    public var description: String {
        let what: String
        switch reason {
        case .link(let e): what = e.description
        case .invalidStatus(let s): what = s
        case .statusNotMeaningful(let s): what = "CSW not meaningful: \(s)"
        case .phaseError: what = "phase error"
        case .commandFailed(let sense): what = "CHECK CONDITION" + (sense.map { ", sense \($0)" } ?? ", no sense data")
        case .mediumError(let blocks, let sense): what = "\(sense) reading blocks \(blocks.lowerBound)..<\(blocks.upperBound)"
        case .notReady(let sense, let polls):
            what = "not ready after \(polls) polls" + (sense.map { " (\($0))" } ?? "")
        case .mediumNotPresent(let sense): what = "medium not present (\(sense))"
        case .unitAttentionPersisted(let sense, let attempts): what = "UNIT ATTENTION \(attempts) times in a row (last \(sense))"
        case .mediumChanged(let sense): what = "medium may have changed (\(sense))"
        case .shortData(let received, let expected): what = "\(received) of \(expected) bytes arrived"
        case .malformedReply(let e): what = e.description
        case .notABlockDevice(let s): what = "not a block device: \(s)"
        case .outOfRange(let s): what = s
        case .transportUnusable(let e): what = "transport unusable since a reset recovery failed (\(e))"
        case .cancelled: what = "cancelled"
        }
        let recovered: [String]
        switch recovery {
        case .none: recovered = []
        case .resetDone: recovered = ["reset recovery done"]
        case .resetFailed(let e): recovered = ["reset recovery failed: \(e)"]
        }
        return (context + [what] + recovered).joined(separator: ": ")
    }
}
