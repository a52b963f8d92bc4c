/// A parsed NMEA capture: the accepted sentences in input order, and what was seen.
public struct NMEALog: Equatable, Sendable {
    public var sentences: [NMEASentence]
    public var statistics: NMEAStatistics

    public init(sentences: [NMEASentence] = [], statistics: NMEAStatistics = NMEAStatistics()) {
        self.sentences = sentences
        self.statistics = statistics
    }

    /// One fix per epoch with a valid position (see `FixAssembler`).
    public func assembleFixes() -> FixAssembly {
        FixAssembler.assemble(sentences)
    }
}
