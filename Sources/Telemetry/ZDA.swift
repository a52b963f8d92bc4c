extension NMEASentence {
    /// ZDA, time and date: the only standard sentence with a four-digit year.
    ///
    /// Fields: time, day, month, year, local zone hours, local zone minutes. At least the year
    /// field must be present; day, month and year are all empty or all valid.
    public struct ZDA: Equatable, Sendable {
        public var talker: NMEATalker
        public var time: NMEATimeOfDay?
        public var date: NMEADate?
        /// The receiver's local zone, as sent (most send none; it never changes UTC times here).
        public var zoneHours: Int?
        public var zoneMinutes: Int?

        public init(talker: NMEATalker, time: NMEATimeOfDay?, date: NMEADate?, zoneHours: Int? = nil, zoneMinutes: Int? = nil) {
            self.talker = talker
            self.time = time
            self.date = date
            self.zoneHours = zoneHours
            self.zoneMinutes = zoneMinutes
        }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            try f.require(4, last: "year")
            let day = try f.integer(1, "day", 1...31)
            let month = try f.integer(2, "month", 1...12)
            let year = try f.integer(3, "year", 1...9999)
            var date: NMEADate?
            switch (day, month, year) {
            case (nil, nil, nil):
                date = nil
            case let (d?, m?, y?):
                if let t = f.text(3), t.count != 4 {
                    throw f.fail("year", "is \"\(t)\", expected four digits")
                }
                guard let valid = NMEADate(year: y, month: m, day: d) else {
                    throw f.fail("day", "is \(d), not a day of \(pad(y, 4))-\(pad(m, 2))")
                }
                date = valid
            default:
                throw f.fail(day == nil ? "day" : month == nil ? "month" : "year", "is empty but other parts of the date are not")
            }
            var zone: Int?
            if let t = f.text(4) {
                guard let z = plainDecimal(t, allowNegative: true), z == z.rounded(), abs(z) <= 14 else {
                    throw f.fail("zone hours", "is \"\(t)\", not a whole number of hours within ±14")
                }
                zone = Int(z)
            }
            self.init(talker: talker, time: try f.time(0), date: date, zoneHours: zone,
                      zoneMinutes: try f.integer(5, "zone minutes", 0...59))
        }
    }
}
