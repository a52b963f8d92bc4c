/// What an audit-log entry records. The raw value is what the log says, so it never changes
/// once released: add cases, do not rename them.
public enum AuditEvent: String, Sendable, Hashable, CaseIterable {
    /// A recorder appeared in a bay.
    case docked
    /// It said who it is (serial, officer, unit).
    case identified
    /// It accepted the gateway's password proof.
    case authenticated
    /// It refused it, or the gateway refused its answer.
    case authenticationFailed = "authentication-failed"
    /// Its clock was measured.
    case clockOffset = "clock-offset"
    /// Its clock was set (or setting it failed: see the detail).
    case clockSet = "clock-set"
    /// One recording was pulled, hashed and stored.
    case recordingIngested = "recording-ingested"
    /// The device's hash and the gateway's differ, or two reads differ.
    case hashMismatch = "hash-mismatch"
    /// A recording was kept apart for a person to look at and not released.
    case quarantined
    /// The device would not give a whole recording; what arrived is kept as an incomplete
    /// copy, not released, and read again at the next dock.
    case readFailed = "read-failed"
    /// The bag was closed: manifests written, custody record signed.
    case bagFinalized = "bag-finalized"
    /// Recordings were freed on the device after the store confirmed a verified copy.
    case released
    /// The recorder left the bay.
    case undocked
    /// Something failed; the detail says what.
    case error
    /// The gateway process started (a gap in the log before it is a downtime, not a deletion).
    case gatewayStarted = "gateway-started"
    /// Every object of a bag is in the remote evidence store, verified and retention-locked.
    case bagForwarded = "bag-forwarded"
    /// The remote store refused an object for good, or the forward queue paused.
    case forwardFailed = "forward-failed"
    /// A bag whose every object was verified in the evidence store, and checked there again
    /// just before, was removed from the local store by the retention setting.
    case bagPruned = "bag-pruned"
    /// A vendor recorder (amba-ctrl, amba-ascii) appeared; its dance begins (family, port).
    case vendorDocked = "vendor-docked"
    /// One command of a vendor unlock, in words, `<password>` in place of the password, and
    /// what came back.
    case unlockStep = "unlock-step"
    /// The vendor unlock ended (its outcome, the device id, the clock).
    case unlockEnded = "unlock-ended"
    /// The gateway waits for the recorder to come back as mass storage on the same port.
    case storageAwaited = "storage-awaited"
    /// The dance ended: came back (and after how long), never came back, came back elsewhere,
    /// refused... (`StorageDanceOutcome.code`).
    case danceEnded = "dance-ended"
    /// A mass-storage device was not read: it did not arrive through an unlock on its port.
    case deviceRefused = "device-refused"
    /// A recorder's remembered password refusal was cleared by a technician.
    case passwordRefusalCleared = "password-refusal-cleared"
    /// The vendor device left the bus after the switch (on its way back as mass storage).
    case vendorDeparted = "vendor-departed"
}
