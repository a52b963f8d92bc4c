/// What a parse saw: every line is accounted for.
///
/// Guarantees: `lines == blankLines + commentLines + sentenceLines + garbageLines`, where a
/// sentence line holds one or more "$" sentences; every sentence, garbage line and garbage
/// fragment is counted exactly once as accepted (in `sentencesByType`), proprietary, or
/// rejected (in `rejectedByReason`), so `acceptedCount + proprietaryCount + rejectedCount ==
/// sentencesSeen + garbageLines + garbageFragments`; and `sentencesByType` and
/// `sentencesByTalker` sum to the same total.
public struct NMEAStatistics: Equatable, Sendable {
    /// How many rejections keep their line number and detail in `firstRejections`.
    public static let firstRejectionLimit = 20

    /// Lines in the input, the last one counted even without a line end.
    public var lines = 0
    /// Lines of only spaces, tabs and NUL bytes.
    public var blankLines = 0
    /// Lines whose first non-blank character is "#" (capture headers).
    public var commentLines = 0
    /// Lines holding at least one "$" (possibly after garbage).
    public var sentenceLines = 0
    /// Lines with no "$" that are not blank or comments; each is one `garbage` rejection.
    public var garbageLines = 0
    /// Sentences seen: every "$" on a sentence line starts one.
    public var sentencesSeen = 0
    /// Non-blank bytes before the first "$" of a sentence line (line noise, a binary protocol
    /// interleaved); each is one `garbage` rejection, and the sentences after it are parsed.
    public var garbageFragments = 0

    /// Accepted sentences by type.
    public var sentencesByType: [NMEASentenceType: Int] = [:]
    /// Accepted sentences by talker.
    public var sentencesByTalker: [NMEATalker: Int] = [:]
    /// Proprietary sentences ("$P..."), skipped as unsupported, by address field (e.g. "PMTK010",
    /// "PGRME"). Their checksums were checked like any other's; refused ones are not here.
    public var proprietaryByAddress: [String: Int] = [:]
    /// Refused sentences and garbage, by reason.
    public var rejectedByReason: [NMEARejection.Reason: Int] = [:]
    /// Address fields of sentences refused as `unknownType`, e.g. "GNGNS".
    public var unknownTypesByAddress: [String: Int] = [:]
    /// The first `firstRejectionLimit` rejections, in input order.
    public var firstRejections: [NMEARejection] = []
    /// Sentences longer than NMEA's 82 characters (counting "$" to the checksum, plus CR LF).
    /// They are parsed all the same.
    public var overlongSentences = 0

    public init() {}

    public var acceptedCount: Int { sentencesByType.values.reduce(0, +) }
    public var proprietaryCount: Int { proprietaryByAddress.values.reduce(0, +) }
    public var rejectedCount: Int { rejectedByReason.values.reduce(0, +) }

    /// How many were refused for `reason` (0 if none).
    public func rejected(_ reason: NMEARejection.Reason) -> Int { rejectedByReason[reason, default: 0] }

    mutating func reject(_ rejection: NMEARejection) {
        rejectedByReason[rejection.reason, default: 0] += 1
        if firstRejections.count < Self.firstRejectionLimit {
            firstRejections.append(rejection)
        }
    }
}
