extension NMEASentence {
    /// GLL, geographic position: latitude, longitude, time and status.
    ///
    /// Fields: latitude, N/S, longitude, E/W, time, status A/V, then (NMEA 2.3) mode. At least
    /// the status field must be present (the NMEA 1.5 form without time and status cannot be
    /// told valid from invalid, so it is refused as malformed).
    public struct GLL: Equatable, Sendable {
        public var talker: NMEATalker
        public var latitude: Double?
        public var longitude: Double?
        public var time: NMEATimeOfDay?
        /// Status A: the receiver vouches for this position.
        public var isValid: Bool
        public var mode: NMEAPositioningMode?

        public init(talker: NMEATalker, latitude: Double?, longitude: Double?, time: NMEATimeOfDay?, isValid: Bool,
                    mode: NMEAPositioningMode? = nil) {
            self.talker = talker
            self.latitude = latitude
            self.longitude = longitude
            self.time = time
            self.isValid = isValid
            self.mode = mode
        }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            try f.require(6, last: "status")
            guard let status = try f.letter(5, "status", allowed: "AV") else {
                throw f.fail("status", "is empty, expected A or V")
            }
            self.init(talker: talker, latitude: try f.latitude(0), longitude: try f.longitude(2), time: try f.time(4),
                      isValid: status == "A",
                      mode: NMEAPositioningMode(try f.letter(6, "mode", allowed: NMEAPositioningMode.letters)))
        }
    }
}
