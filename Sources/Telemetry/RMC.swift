extension NMEASentence {
    /// RMC, recommended minimum data: time, status, position, speed, course and the date.
    ///
    /// Fields: time, status A/V, latitude, N/S, longitude, E/W, speed (knots), course (degrees
    /// true), date ddmmyy, magnetic variation, E/W, then (NMEA 2.3) mode and (4.1) navigational
    /// status. At least the date field must be present.
    public struct RMC: Equatable, Sendable {
        public var talker: NMEATalker
        public var time: NMEATimeOfDay?
        /// Status A: the receiver vouches for this position. V: it does not (no fix, or a
        /// remembered position); `FixAssembler` takes neither its position nor its date.
        public var isValid: Bool
        /// Degrees, north positive.
        public var latitude: Double?
        /// Degrees, east positive.
        public var longitude: Double?
        public var speedKnots: Double?
        /// Degrees from true north, 0 ..< 360 as the receiver sends it (not normalised).
        public var course: Double?
        public var date: NMEADate?
        /// Degrees, east positive.
        public var magneticVariation: Double?
        public var mode: NMEAPositioningMode?

        public init(talker: NMEATalker, time: NMEATimeOfDay?, isValid: Bool, latitude: Double?, longitude: Double?,
                    speedKnots: Double? = nil, course: Double? = nil, date: NMEADate?, magneticVariation: Double? = nil,
                    mode: NMEAPositioningMode? = nil) {
            self.talker = talker
            self.time = time
            self.isValid = isValid
            self.latitude = latitude
            self.longitude = longitude
            self.speedKnots = speedKnots
            self.course = course
            self.date = date
            self.magneticVariation = magneticVariation
            self.mode = mode
        }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            try f.require(9, last: "date")
            guard let status = try f.letter(1, "status", allowed: "AV") else {
                throw f.fail("status", "is empty, expected A or V")
            }
            var variation: Double?
            if let v = try f.decimal(9, "magnetic variation") {
                guard let direction = try f.letter(10, "magnetic variation direction", allowed: "EW") else {
                    throw f.fail("magnetic variation direction", "is empty but the variation is \(v)")
                }
                variation = direction == "W" ? -v : v
            }
            self.init(talker: talker, time: try f.time(0), isValid: status == "A",
                      latitude: try f.latitude(2), longitude: try f.longitude(4),
                      speedKnots: try f.decimal(6, "speed"), course: try f.decimal(7, "course"),
                      date: try f.date(8), magneticVariation: variation,
                      mode: NMEAPositioningMode(try f.letter(11, "mode", allowed: NMEAPositioningMode.letters)))
        }
    }
}
