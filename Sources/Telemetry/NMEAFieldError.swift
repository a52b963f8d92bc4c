/// A field of a checksum-valid sentence that cannot be what the sentence type says it is:
/// names the sentence, the field and what was wrong.
public struct NMEAFieldError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The address field, e.g. "GPRMC".
    public var sentence: String
    /// Which field, e.g. "latitude".
    public var field: String
    /// What was wrong with it.
    public var reason: String

    public init(sentence: String, field: String, reason: String) {
        self.sentence = sentence
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(sentence): field \(field) \(reason)" }
}
