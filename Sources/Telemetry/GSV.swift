extension NMEASentence {
    /// GSV, satellites in view: one message of a group, up to four satellites each.
    ///
    /// Fields: number of messages, message number, satellites in view, then for each satellite
    /// its number, elevation, azimuth and SNR, and (NMEA 4.1) a signal ID.
    public struct GSV: Equatable, Sendable {
        /// One satellite as a GSV message describes it.
        public struct Satellite: Equatable, Sendable {
            /// The satellite number as the talker numbers it (BeiDou receivers use 201 and up).
            public var number: Int
            /// Degrees above the horizon.
            public var elevation: Int?
            /// Degrees from true north.
            public var azimuth: Int?
            /// Signal-to-noise ratio, dB-Hz; nil when not tracked.
            public var snr: Int?

            public init(number: Int, elevation: Int? = nil, azimuth: Int? = nil, snr: Int? = nil) {
                self.number = number
                self.elevation = elevation
                self.azimuth = azimuth
                self.snr = snr
            }
        }

        public var talker: NMEATalker
        public var messageCount: Int
        /// 1 ... `messageCount`.
        public var messageNumber: Int
        public var satellitesInView: Int?
        public var satellites: [Satellite]
        /// NMEA 4.1 signal ID (a hexadecimal digit), as sent.
        public var signalID: String?

        public init(talker: NMEATalker, messageCount: Int, messageNumber: Int, satellitesInView: Int?,
                    satellites: [Satellite], signalID: String? = nil) {
            self.talker = talker
            self.messageCount = messageCount
            self.messageNumber = messageNumber
            self.satellitesInView = satellitesInView
            self.satellites = satellites
            self.signalID = signalID
        }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            try f.require(3, last: "satellites in view")
            guard let count = try f.integer(0, "number of messages", 1...99) else {
                throw f.fail("number of messages", "is empty")
            }
            guard let number = try f.integer(1, "message number", 1...count) else {
                throw f.fail("message number", "is empty")
            }
            let blockFields = f.count - 3
            guard blockFields % 4 == 0 || blockFields % 4 == 1 else {
                throw f.fail("satellites", "are cut: \(blockFields) fields after the header are not groups of four")
            }
            var satellites: [Satellite] = []
            for k in 0..<(blockFields / 4) {
                let base = 3 + 4 * k
                let label = "satellite \(k + 1)"
                let elevation = try f.integer(base + 1, label + " elevation", 0...90)
                let azimuth = try f.integer(base + 2, label + " azimuth", 0...360)
                let snr = try f.integer(base + 3, label + " SNR", 0...99)
                guard let n = try f.integer(base, label + " number", 0...999) else {
                    if elevation == nil && azimuth == nil && snr == nil { continue } // an empty padding slot
                    throw f.fail(label + " number", "is empty but the satellite has other fields")
                }
                satellites.append(Satellite(number: n, elevation: elevation, azimuth: azimuth, snr: snr))
            }
            var signal: String?
            if blockFields % 4 == 1, let s = f.text(f.count - 1) {
                guard s.count == 1, s.allSatisfy(\.isHexDigit) else {
                    throw f.fail("signal ID", "is \"\(s)\", not a hexadecimal digit")
                }
                signal = String(s)
            }
            self.init(talker: talker, messageCount: count, messageNumber: number,
                      satellitesInView: try f.integer(2, "satellites in view", 0...999),
                      satellites: satellites, signalID: signal)
        }
    }
}
