/// The same recorder back from another shift: for soaks that dock one recorder many times,
/// each time with footage the gateway has not seen.
extension RecorderScenario {
    /// The recorder after shift `n` (0 is the scenario as written): every recording gets an id
    /// and a sequence number past those of all earlier shifts, generated content gets a new
    /// seed (so new hashes), and times move on by `n` days. Paths, sizes, identity, clock, link
    /// and faults stay as they are.
    public func shift(_ n: Int) -> RecorderScenario {
        guard n > 0 else { return self }
        var next = self
        // Ids and sequences of shift n live in their own band, so no two shifts share an id.
        let band = UInt32(recordings.map(\.id).max() ?? 0) &+ 1
        let sequenceBand = (recordings.map(\.sequence).max() ?? 0) &+ 1
        let day: Int64 = 86_400_000
        next.recordings = recordings.map { r in
            var s = r
            s.id = r.id &+ band &* UInt32(truncatingIfNeeded: n)
            s.sequence = r.sequence &+ sequenceBand &* UInt32(truncatingIfNeeded: n)
            if case .generated(let seed, let size) = r.content {
                // A different, fixed seed per shift: splitmix-style mixing of seed and shift.
                var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(n)
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                s.content = .generated(seed: z ^ (z >> 31), size: size)
            }
            s.startMilliseconds = r.startMilliseconds &+ day &* Int64(n)
            s.endMilliseconds = r.endMilliseconds &+ day &* Int64(n)
            return s
        }
        return next
    }
}
