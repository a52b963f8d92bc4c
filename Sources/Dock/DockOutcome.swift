import Foundation

/// Something a custodian or technician must know about a dock: a device claim that did not
/// hold, a file that could not be verified, a step that failed.
public struct Anomaly: Codable, Hashable, Sendable, CustomStringConvertible {
    /// A stable code: device-hash-mismatch, quarantined, read-failed, vanished,
    /// authentication-failed, catalog-refused, disk-full, storage-error, interrupted, resumed,
    /// clock-set-failed, release-refused, protocol-error, source-changed, volume-changed,
    /// source-unverified; clock-not-read (the family cannot read its clock), replaced-on-recorder
    /// (a staged copy whose file the recorder replaced, kept under an id of its own), store-full
    /// (the dock was refused before anything was read: the store is past its critical watermark) and
    /// verified-not-released (the family has no release: one anomaly for all the verified
    /// recordings that stay on the recorder).
    public var code: String
    /// The recording it concerns, if any.
    public var recordingId: UInt32?
    public var detail: String

    public init(_ code: String, recordingId: UInt32? = nil, _ detail: String) {
        self.code = code
        self.recordingId = recordingId
        self.detail = detail
    }

    public var description: String {
        (recordingId.map { "file \($0): " } ?? "") + "\(code): \(detail)"
    }
}

/// How one dock of one recorder ended.
public struct DockOutcome: Sendable {
    public enum Result: Sendable, Equatable {
        /// Every listed recording is in a final bag (verified, quarantined or incomplete), or
        /// was already collected, or was not read for a reason its anomaly gives.
        case completed
        /// The recorder went away or the gateway stopped; the next dock continues.
        case interrupted(String)
        /// The dock could not do its job (authentication, protocol, storage); nothing released.
        case failed(String)
    }

    public var bay: String
    public var serial: String?
    public var officerNumber: String?
    public var result: Result = .failed("not started")
    /// The final bags this dock sealed: one per volume of a medium with several that had
    /// something new, else at most one; in the medium's order, after those of interrupted
    /// sessions whose volume the medium no longer has.
    public var bags: [String] = []
    /// The final bag, when one was written; the first of `bags` when there are several.
    public var bagPath: String? { bags.first }
    /// Bags sealed by an earlier dock of this recorder that a stop cut off before they were
    /// committed and named in the audit log, finished by this dock.
    public var recoveredBags: [String] = []
    /// Recordings listed by the recorder.
    public var listed = 0
    /// Recordings skipped because the ledger already holds them.
    public var alreadyIngested = 0
    /// Recordings in this dock's bags.
    public var files = 0
    public var verified = 0
    /// Read whole twice, both times disagreeing with the device's hash.
    public var quarantined = 0
    /// Kept as far as the device would give them (`read-failed`, `vanished`).
    public var incomplete = 0
    public var released = 0
    /// Bytes pulled over the link during this dock.
    public var bytes: UInt64 = 0
    public var seconds = 0.0
    public var clockOffsetMilliseconds: Double?
    public var anomalies: [Anomaly] = []
    /// How the dance of a vendor recorder ended (unlock, switch, return); nil for a recorder
    /// read as it docked.
    public var dance: StorageDanceOutcome?

    public init(bay: String) { self.bay = bay }

    /// True when the dock completed and every file in its bag verified.
    public var allVerified: Bool { result == .completed && quarantined == 0 && incomplete == 0 && verified == files }
}
