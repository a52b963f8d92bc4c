/// The report's arithmetic on corrected times, as small pure functions so each can be tested on
/// crafted numbers. Times here are already clamped to years 0000–9999 (`TimeRange.clamp`), so
/// differences and sums of a sane number of them cannot overflow Int64.
enum SessionAnalysis {
    /// One recording on the corrected time line: `start ≤ end`.
    struct Interval: Hashable {
        var id: UInt32
        var sequence: UInt32
        var start: Int64
        var end: Int64
        var length: Int64 { end - start }
    }

    /// Runs of sequence numbers missing between the smallest and largest number of `media`
    /// (every recording, with or without corrected times: only ids and numbers count here).
    /// A number some log uses (`taken`) is not missing: some recorders number logs in the same
    /// series, and a hole a log fills is no hole.
    static func sequenceGaps(media: [(id: UInt32, sequence: UInt32)], taken: Set<UInt32>) -> [IntegrityReport.SequenceGap] {
        // For each number, the lowest id carrying it, so the result does not depend on input order.
        var owner: [UInt32: UInt32] = [:]
        for m in media { owner[m.sequence] = min(owner[m.sequence] ?? m.id, m.id) }
        let numbers = owner.keys.sorted()
        let logNumbers = taken.subtracting(numbers).sorted()
        var gaps: [IntegrityReport.SequenceGap] = []
        for (a, b) in zip(numbers, numbers.dropFirst()) where b - a > 1 {
            var from = a + 1
            // Split the hole around any log numbers inside it.
            let inside = logNumbers[lowerBound(logNumbers, a + 1)...].prefix { $0 < b }
            for n in inside + [b] {
                if n > from {
                    gaps.append(.init(firstMissing: from, lastMissing: n - 1, count: UInt64(n - from),
                                      afterSequence: a, beforeSequence: b,
                                      afterRecording: owner[a]!, beforeRecording: owner[b]!))
                }
                from = n == UInt32.max ? n : n + 1
            }
        }
        return gaps
    }

    /// Sequence numbers carried by more than one file, ascending.
    static func duplicates(_ numbers: [UInt32]) -> [UInt32] {
        var seen: [UInt32: Int] = [:]
        for n in numbers { seen[n, default: 0] += 1 }
        return seen.filter { $0.value > 1 }.keys.sorted()
    }

    /// Pairs of recordings of positive length whose corrected spans share time; the first
    /// `limit` are listed, all are counted. A photo (length 0) overlaps nothing: a recorder may
    /// take stills while filming.
    static func overlaps(_ intervals: [Interval], limit: Int) -> (listed: [IntegrityReport.Overlap], count: Int) {
        let sorted = intervals.filter { $0.length > 0 }.sorted { ($0.start, $0.end, $0.id) < ($1.start, $1.end, $1.id) }
        var listed: [IntegrityReport.Overlap] = []
        var count = 0
        for i in sorted.indices {
            var j = i + 1
            while j < sorted.count && sorted[j].start < sorted[i].end {
                let end = min(sorted[i].end, sorted[j].end)
                count += 1
                if listed.count < limit {
                    listed.append(.init(first: sorted[i].id, second: sorted[j].id, span: TimeSpan(sorted[j].start, end)))
                }
                j += 1
            }
        }
        return (listed, count)
    }

    /// Stretches longer than `thresholdMs` between the end of everything recorded so far and the
    /// next start, inside the duty period (first start to last end). Photos count as recordings:
    /// a still taken in a quiet hour splits it.
    static func gaps(_ intervals: [Interval], thresholdMs: Int64, longMs: Int64) -> [IntegrityReport.Gap] {
        let sorted = intervals.sorted { ($0.start, $0.end, $0.id) < ($1.start, $1.end, $1.id) }
        guard var reach = sorted.first else { return [] }
        var gaps: [IntegrityReport.Gap] = []
        for r in sorted.dropFirst() {
            let length = r.start - reach.end
            if length > thresholdMs {
                gaps.append(.init(span: TimeSpan(reach.end, r.start), afterRecording: reach.id,
                                  beforeRecording: r.id, long: length >= longMs))
            }
            if r.end > reach.end { reach = r }
        }
        return gaps
    }

    /// The stretches within a tolerance of some GPS fix, and lookups in them.
    struct FixCoverage {
        /// Each fix's window `[f − tol, f + tol]`, overlapping or touching windows merged;
        /// ascending and disjoint.
        let spans: [TimeSpan]
        private let ends: [Int64]

        init(fixes: [Int64], toleranceMs: Int64) {
            let tol = min(max(0, toleranceMs), 86_400_000)
            var spans: [TimeSpan] = []
            for f in fixes.map(TimeRange.clamp).sorted() {
                let (lo, hi) = (f - tol, f + tol)
                if let last = spans.last, lo <= last.endMs {
                    spans[spans.count - 1] = TimeSpan(last.startMs, max(last.endMs, hi))
                } else {
                    spans.append(TimeSpan(lo, hi))
                }
            }
            self.spans = spans
            ends = spans.map(\.endMs)
        }

        /// Milliseconds of `[start, end]` inside the spans.
        func coveredMs(start: Int64, end: Int64) -> Int64 {
            var i = lowerBound(ends, start)
            var covered: Int64 = 0
            while i < spans.count && spans[i].startMs < end {
                covered += min(end, spans[i].endMs) - max(start, spans[i].startMs)
                i += 1
            }
            return max(0, covered)
        }

        /// Whether instant `t` lies in a span (ends included).
        func contains(_ t: Int64) -> Bool {
            let i = lowerBound(ends, t)
            return i < spans.count && spans[i].startMs <= t
        }
    }

    /// The first index whose element is ≥ `value` in an ascending array.
    static func lowerBound<T: Comparable>(_ a: [T], _ value: T) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// The instants the report handles, kept to years 0000–9999.
enum TimeRange {
    static let minimum: Int64 = -62_167_219_200_000   // 0000-01-01T00:00:00.000Z
    static let maximum: Int64 = 253_402_300_799_999   // 9999-12-31T23:59:59.999Z

    /// `t` when it lies in years 0000–9999, else nil: for corrected times, which must not be
    /// moved to another instant.
    static func within(_ t: Int64) -> Int64? { (minimum...maximum).contains(t) ? t : nil }

    /// `t` clamped into years 0000–9999: only a badly wrong device clock is outside, and the
    /// clamp keeps every later difference and sum far from overflow.
    static func clamp(_ t: Int64) -> Int64 { min(max(t, minimum), maximum) }
}
