import Control
import Testing

/// The kiosk screen's ETA for any bytes and rate a recorder and a link can produce.
@Suite struct ETATextTests {
    @Test func anOrdinaryTransferShowsMinutesAndSeconds() {
        #expect(ETAText.text(remainingBytes: 187e6, bytesPerSecond: 1e6) == "ETA 3:07")
        #expect(ETAText.text(remainingBytes: 1, bytesPerSecond: 1e6) == "ETA 0:00")
    }

    /// A catalog size near 2^64 at a few bytes a second used to be converted to an Int and trap.
    @Test func anEstimateNoIntHoldsIsShownAsMoreThan99Hours() {
        #expect(ETAText.text(remainingBytes: 1.8e19, bytesPerSecond: 0.001) == "ETA >99h")
        #expect(ETAText.text(remainingBytes: 99 * 3600 + 1, bytesPerSecond: 1) == "ETA >99h")
    }

    @Test(arguments: [(0.0, 1e6), (1e6, 0), (.nan, 1e6), (1e6, .nan), (.infinity, 1e6), (-5, 1e6)])
    func nothingToEstimateShowsNothing(remaining: Double, rate: Double) {
        #expect(ETAText.text(remainingBytes: remaining, bytesPerSecond: rate) == nil)
    }
}
