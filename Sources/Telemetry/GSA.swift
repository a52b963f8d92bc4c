extension NMEASentence {
    /// GSA, DOP and active satellites: the fix type and the satellites used in it.
    ///
    /// Fields: selection M/A, fix type 1/2/3, twelve satellite-number slots, PDOP, HDOP, VDOP,
    /// and (NMEA 4.1) the system ID: exactly 17 or 18 fields. A multi-constellation receiver
    /// sends one GSA per system in each epoch, all with the same DOPs.
    public struct GSA: Equatable, Sendable {
        public var talker: NMEATalker
        /// M: the fix type was forced by the user; A: chosen automatically.
        public var isAutomatic: Bool?
        /// 1 no fix, 2 2-D, 3 3-D.
        public var fixType: Int
        /// The non-empty slots, in order.
        public var satellites: [Int]
        public var pdop: Double?
        public var hdop: Double?
        public var vdop: Double?
        /// NMEA 4.1 GNSS system ID (1 GPS, 2 GLONASS, 3 Galileo, 4 BeiDou, ...).
        public var systemID: Int?

        public init(talker: NMEATalker, isAutomatic: Bool? = true, fixType: Int, satellites: [Int],
                    pdop: Double? = nil, hdop: Double? = nil, vdop: Double? = nil, systemID: Int? = nil) {
            self.talker = talker
            self.isAutomatic = isAutomatic
            self.fixType = fixType
            self.satellites = satellites
            self.pdop = pdop
            self.hdop = hdop
            self.vdop = vdop
            self.systemID = systemID
        }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            guard f.count == 17 || f.count == 18 else {
                throw f.fail("satellites", "do not fill twelve slots: the sentence has \(f.count) data fields, GSA has 17 (18 with a system ID)")
            }
            guard let fixType = try f.integer(1, "fix type", 1...3) else {
                throw f.fail("fix type", "is empty, expected 1, 2 or 3")
            }
            var satellites: [Int] = []
            for slot in 0..<12 {
                if let n = try f.integer(2 + slot, "satellite \(slot + 1)", 0...999) { satellites.append(n) }
            }
            self.init(talker: talker, isAutomatic: try f.letter(0, "selection mode", allowed: "AM").map { $0 == "A" },
                      fixType: fixType, satellites: satellites,
                      pdop: try f.decimal(14, "PDOP"), hdop: try f.decimal(15, "HDOP"), vdop: try f.decimal(16, "VDOP"),
                      systemID: try f.integer(17, "system ID", 0...15))
        }
    }
}
