/// The fixes of a log and how each epoch was accounted for.
///
/// Guarantees: `epochs == fixes.count + epochsWithoutPosition + undatedFixesDropped`.
public struct FixAssembly: Equatable, Sendable {
    /// In input order (not sorted: a receiver's clock may step back, and that is evidence too).
    public var fixes: [GPSFix]
    /// Runs of consecutive timed sentences with the same time of day.
    public var epochs: Int
    /// Epochs in which no sentence marked valid carried a position (no fix yet, or lost).
    public var epochsWithoutPosition: Int
    /// Fixes whose epoch had no date of its own and came before the first date: held, then
    /// dated back from the first date (they are in `fixes`).
    public var fixesDatedBackwards: Int
    /// Valid positions dropped because no date ever arrived (no RMC with status A, no ZDA).
    public var undatedFixesDropped: Int
    /// Valid RMC, GGA or GLL positions with an empty time field: no epoch to put them in.
    public var untimedPositionsIgnored: Int

    public init(fixes: [GPSFix] = [], epochs: Int = 0, epochsWithoutPosition: Int = 0, fixesDatedBackwards: Int = 0,
                undatedFixesDropped: Int = 0, untimedPositionsIgnored: Int = 0) {
        self.fixes = fixes
        self.epochs = epochs
        self.epochsWithoutPosition = epochsWithoutPosition
        self.fixesDatedBackwards = fixesDatedBackwards
        self.undatedFixesDropped = undatedFixesDropped
        self.untimedPositionsIgnored = untimedPositionsIgnored
    }
}
