/// The sentences of one epoch, as `FixAssembler` collects them, and the fix they make.
struct Epoch {
    let time: NMEATimeOfDay
    var rmc: NMEASentence.RMC?
    var gga: NMEASentence.GGA?
    var gll: NMEASentence.GLL?
    var zda: NMEASentence.ZDA?
    var gsas: [NMEASentence.GSA] = []
    var vtg: NMEASentence.VTG?

    init(time: NMEATimeOfDay) {
        self.time = time
    }

    /// Keeps the first sentence of a type, unless `new` is valid and the kept one is not.
    static func keep<T>(_ slot: inout T?, _ new: T, isValid: (T) -> Bool) {
        if let kept = slot, isValid(kept) || !isValid(new) { return }
        slot = new
    }

    /// ZDA's date, else a valid RMC's.
    var date: NMEADate? {
        zda?.date ?? (rmc?.isValid == true ? rmc?.date : nil)
    }

    /// The fix of this epoch, with `time` still 0 (the assembler dates it), or nil without a
    /// valid position.
    func fix() -> GPSFix? {
        let validGGA = gga.flatMap { $0.isValid ? $0 : nil }
        let validRMC = rmc.flatMap { $0.isValid ? $0 : nil }
        let validGLL = gll.flatMap { $0.isValid ? $0 : nil }
        let position: (Double, Double)? =
            validGGA.flatMap { g in g.latitude.flatMap { lat in g.longitude.map { (lat, $0) } } }
            ?? validRMC.flatMap { r in r.latitude.flatMap { lat in r.longitude.map { (lat, $0) } } }
            ?? validGLL.flatMap { l in l.latitude.flatMap { lat in l.longitude.map { (lat, $0) } } }
        guard let (latitude, longitude) = position else { return nil }

        let usableVTG = vtg.flatMap { $0.mode == .notValid ? nil : $0 }
        let knots = validRMC?.speedKnots ?? usableVTG?.speedKnots
        let speed = knots.map { $0 * 1852 / 3600 } ?? usableVTG?.speedKilometresPerHour.map { $0 / 3.6 }
        let listed = gsas.reduce(0) { $0 + $1.satellites.count }
        return GPSFix(time: 0, latitude: latitude, longitude: longitude,
                      altitude: validGGA?.altitude,
                      speedMetresPerSecond: speed,
                      course: validRMC?.course ?? usableVTG?.courseTrue,
                      mode: mode(gga: validGGA, rmc: validRMC, gll: validGLL),
                      satellites: validGGA?.satellites ?? (listed > 0 ? listed : nil),
                      hdop: validGGA?.hdop ?? gsas.last(where: { $0.hdop != nil })?.hdop)
    }

    private func mode(gga: NMEASentence.GGA?, rmc: NMEASentence.RMC?, gll: NMEASentence.GLL?) -> String? {
        let best = gsas.map(\.fixType).max()
        if best == 3 { return "3d" }
        if best == 2 { return "2d" }
        if let quality = gga?.quality, let name = Self.qualityNames[quality] { return name }
        if let name = (rmc?.mode ?? gll?.mode).flatMap({ Self.modeNames[$0] }) { return name }
        return best == 1 ? "no-fix" : nil
    }

    static let qualityNames: [Int: String] = [
        1: "gps", 2: "dgps", 3: "pps", 4: "rtk", 5: "float-rtk", 6: "estimated", 7: "manual", 8: "simulated",
    ]

    static let modeNames: [NMEAPositioningMode: String] = [
        .autonomous: "gps", .differential: "dgps", .precise: "pps", .rtk: "rtk", .floatRTK: "float-rtk",
        .estimated: "estimated", .manual: "manual", .simulator: "simulated",
    ]
}
