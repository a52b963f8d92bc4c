extension NMEASentence {
    /// VTG, course and speed over ground. Carries no time: `FixAssembler` gives it to the epoch
    /// of the latest timed sentence.
    ///
    /// Fields: course true, T, course magnetic, M, speed knots, N, speed km/h, K, then (NMEA 2.3)
    /// mode. At least the eight unit-tagged fields must be present.
    public struct VTG: Equatable, Sendable {
        public var talker: NMEATalker
        /// Degrees from true north.
        public var courseTrue: Double?
        /// Degrees from magnetic north.
        public var courseMagnetic: Double?
        public var speedKnots: Double?
        public var speedKilometresPerHour: Double?
        public var mode: NMEAPositioningMode?

        public init(talker: NMEATalker, courseTrue: Double?, courseMagnetic: Double? = nil, speedKnots: Double?,
                    speedKilometresPerHour: Double? = nil, mode: NMEAPositioningMode? = nil) {
            self.talker = talker
            self.courseTrue = courseTrue
            self.courseMagnetic = courseMagnetic
            self.speedKnots = speedKnots
            self.speedKilometresPerHour = speedKilometresPerHour
            self.mode = mode
        }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            try f.require(8, last: "speed unit K")
            for (i, unit, name) in [(1, "T", "course true unit"), (3, "M", "course magnetic unit"),
                                    (5, "N", "speed knots unit"), (7, "K", "speed km/h unit")] {
                if let t = f.text(i), t != unit {
                    throw f.fail(name, "is \"\(t)\", expected \(unit)")
                }
            }
            self.init(talker: talker, courseTrue: try f.decimal(0, "course true"),
                      courseMagnetic: try f.decimal(2, "course magnetic"),
                      speedKnots: try f.decimal(4, "speed knots"), speedKilometresPerHour: try f.decimal(6, "speed km/h"),
                      mode: NMEAPositioningMode(try f.letter(8, "mode", allowed: NMEAPositioningMode.letters)))
        }
    }
}
