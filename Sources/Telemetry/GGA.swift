extension NMEASentence {
    /// GGA, fix data: time, position, quality, satellites in use, HDOP, altitude.
    ///
    /// Fields: time, latitude, N/S, longitude, E/W, quality, satellites, HDOP, altitude, M,
    /// geoid separation, M, DGPS age, DGPS station. At least the quality field must be present.
    public struct GGA: Equatable, Sendable {
        public var talker: NMEATalker
        public var time: NMEATimeOfDay?
        public var latitude: Double?
        public var longitude: Double?
        /// 0 invalid, 1 GPS, 2 DGPS, 3 PPS, 4 RTK, 5 float RTK, 6 estimated, 7 manual,
        /// 8 simulation. Nil when the field is empty, which counts as invalid.
        public var quality: Int?
        public var satellites: Int?
        public var hdop: Double?
        /// Metres above mean sea level.
        public var altitude: Double?
        /// Metres from the WGS-84 ellipsoid up to mean sea level.
        public var geoidSeparation: Double?
        /// Seconds since the last differential correction.
        public var dgpsAge: Double?
        public var dgpsStation: Int?

        public init(talker: NMEATalker, time: NMEATimeOfDay?, latitude: Double?, longitude: Double?, quality: Int?,
                    satellites: Int? = nil, hdop: Double? = nil, altitude: Double? = nil, geoidSeparation: Double? = nil,
                    dgpsAge: Double? = nil, dgpsStation: Int? = nil) {
            self.talker = talker
            self.time = time
            self.latitude = latitude
            self.longitude = longitude
            self.quality = quality
            self.satellites = satellites
            self.hdop = hdop
            self.altitude = altitude
            self.geoidSeparation = geoidSeparation
            self.dgpsAge = dgpsAge
            self.dgpsStation = dgpsStation
        }

        /// Quality above 0: the receiver vouches for this position.
        public var isValid: Bool { (quality ?? 0) > 0 }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            try f.require(6, last: "quality")
            for (i, name) in [(9, "altitude unit"), (11, "geoid separation unit")] {
                if let unit = f.text(i), unit != "M" {
                    throw f.fail(name, "is \"\(unit)\", expected M (metres)")
                }
            }
            self.init(talker: talker, time: try f.time(0), latitude: try f.latitude(1), longitude: try f.longitude(3),
                      quality: try f.integer(5, "quality", 0...9), satellites: try f.integer(6, "satellites", 0...999),
                      hdop: try f.decimal(7, "HDOP"), altitude: try f.decimal(8, "altitude", allowNegative: true),
                      geoidSeparation: try f.decimal(10, "geoid separation", allowNegative: true),
                      dgpsAge: try f.decimal(12, "DGPS age"), dgpsStation: try f.integer(13, "DGPS station", 0...9999))
        }
    }
}
