import RecorderHAL
import Testing

/// Sizes a recorder lists, added up: a sum past 2^64 stops at the top instead of trapping.
@Suite struct SaturatingSumTests {
    @Test func anOrdinarySumIsExact() {
        #expect([UInt64]().saturatingSum() == 0)
        #expect([1, 2, UInt64.max - 3].saturatingSum() == UInt64.max)
    }

    @Test func aSumPastTheTopIsTheTop() {
        #expect([UInt64.max, 1].saturatingSum() == UInt64.max)
        #expect([10_000_000_000_000_000_000, 10_000_000_000_000_000_000, 5].saturatingSum() == UInt64.max)
    }
}
