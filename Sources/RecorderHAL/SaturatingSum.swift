extension Sequence where Element == UInt64 {
    /// The sum, or `UInt64.max` when it does not fit.
    ///
    /// Sizes a recorder lists are u64s of its own choosing: two of them can add up past 2^64,
    /// and `+` would then trap. A total that saturates is still larger than any real medium,
    /// which is all a check against storage or a progress bar needs.
    public func saturatingSum() -> UInt64 {
        reduce(0) { total, next in
            let (sum, overflow) = total.addingReportingOverflow(next)
            return overflow ? .max : sum
        }
    }
}
