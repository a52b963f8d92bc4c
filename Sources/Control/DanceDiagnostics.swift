import RecorderHAL

/// Facts about a vendor recorder's dance (unlock, storage switch, return as mass storage), as
/// the dock learns them, for `Diagnosis`. Every field is optional or defaulted so that facts
/// kept before a field existed still decode. Nothing here holds the password: the steps are
/// the `UnlockReport`'s, which show `<password>` in its place.
public struct DanceDiagnostics: Sendable, Equatable, Codable {
    /// One command the family sent, and what the device answered, in words.
    public struct Step: Sendable, Equatable, Codable {
        /// As sent, `<password>` in place of the password.
        public var command: String
        public var carriedPassword: Bool
        public var answer: String
        public init(command: String, carriedPassword: Bool, answer: String) {
            self.command = command
            self.carriedPassword = carriedPassword
            self.answer = answer
        }
    }

    /// How the family's unlock ended, as far as the storage switch is concerned.
    public enum UnlockEnd: String, Sendable, Equatable, Codable {
        /// The device accepted the switch to storage mode.
        case switching
        /// The device said it was in storage mode already.
        case alreadyInStorageMode = "already-in-storage-mode"
        /// The unlock went through, but the device refused the switch (its last step).
        case storageSwitchRefused = "storage-switch-refused"
        /// The unlock stopped at its last step (a refusal, a failure, another family).
        case stopped
    }

    /// The family chosen for the device ("amba-ascii").
    public var family: String
    /// The port the recorder was unlocked on (and awaited back on).
    public var port: String?
    /// The commands sent, in order; empty when nothing was sent.
    public var steps: [Step] = []
    /// nil: the family's unlock did not run (no password, or a password withheld).
    public var unlockEnd: UnlockEnd?
    /// The unlock's ending in words ("password refused (not retried)").
    public var unlockWords: String?
    /// The dance's outcome (`StorageDanceOutcome.code`) and its words; nil while it runs.
    public var outcomeCode: String?
    public var outcomeWords: String?
    /// How long the return as mass storage was awaited at most.
    public var returnWaitMilliseconds: Int64?
    /// How long after the switch it came back (or was given up on).
    public var returnedAfterMilliseconds: Int64?
    /// The port it came back on, when not `port`.
    public var returnedOnPort: String?

    public init(family: String, port: String?, returnWaitMilliseconds: Int64?) {
        self.family = family
        self.port = port
        self.returnWaitMilliseconds = returnWaitMilliseconds
    }

    /// The unlock's steps and ending, from the family's report (which never holds the password).
    public mutating func record(_ report: UnlockReport) {
        steps = report.steps.map { Step(command: $0.command, carriedPassword: $0.carriedPassword, answer: $0.answer) }
        unlockWords = report.outcome.description
        switch report.outcome {
        case .switching: unlockEnd = .switching
        case .alreadyInStorageMode: unlockEnd = .alreadyInStorageMode
        case .storageSwitchRefused: unlockEnd = .storageSwitchRefused
        case .passwordRefused, .passwordUnusable, .notThisFamily, .failed: unlockEnd = .stopped
        }
    }
}
