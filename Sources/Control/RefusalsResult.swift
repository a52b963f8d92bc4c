/// `recorderctl refusals`: the vendor recorders that refused the kiosk's password, to which it
/// is not sent again until a technician clears the refusal; with `--clear`, the one cleared.
public struct RefusalsResult: Codable, Sendable, Equatable {
    public struct Refusal: Codable, Sendable, Equatable {
        /// The recorder, as the dance names it (its USB serial, else `bay-PORT`).
        public var recorder: String
        public var family: String
        public var bay: String
        public var refusedUTC: String

        public init(recorder: String, family: String, bay: String, refusedUTC: String) {
            self.recorder = recorder
            self.family = family
            self.bay = bay
            self.refusedUTC = refusedUTC
        }
    }

    /// The refusals remembered now (after the clearing, when one was asked for).
    public var refusals: [Refusal]
    /// The refusal cleared by this call, when `clear` was given.
    public var cleared: Refusal?

    public init(refusals: [Refusal], cleared: Refusal?) {
        self.refusals = refusals
        self.cleared = cleared
    }
}
