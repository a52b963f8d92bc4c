/// Groups a log's sentences into epochs and makes one `GPSFix` per epoch with a valid position.
///
/// **Epochs.** An epoch is a run of consecutive timed sentences (RMC, GGA, GLL, ZDA) with the
/// same time of day; a timed sentence with a different time starts the next epoch. GSA and VTG
/// carry no time and belong to the epoch of the latest timed sentence (before the first one
/// they are dropped); GSV and TXT do not contribute to fixes. Of each type the epoch keeps the
/// first sentence, unless a later one of that type is valid and the kept one is not (a receiver
/// that sends both GPRMC and GNRMC).
///
/// **Position.** Only sentences the receiver marked valid give positions: GGA with quality
/// above 0, RMC with status A, GLL with status A; an epoch takes the valid GGA's position, else
/// the valid RMC's, else the valid GLL's. An invalid sentence in the same epoch does not veto
/// a valid one (receivers flip RMC status and GGA quality at different moments). Altitude,
/// satellites and HDOP come from a valid GGA only; satellites else from the count of satellites
/// the epoch's GSAs list, HDOP else from its last GSA. Speed and course come from a valid RMC,
/// else from VTG (unless VTG's mode says the data are not valid). The mode is the best GSA fix
/// type ("2d", "3d"), else the valid GGA's quality, else the valid RMC's or GLL's mode
/// indicator, else "no-fix" if a GSA said so.
///
/// **Dates.** An epoch's date is its ZDA's (four-digit year), else its valid RMC's (two-digit
/// year, century by `NMEADate.year(twoDigit:)`). The date of an RMC with status V is never used:
/// a receiver without a fix reports its clock's reset value (the mtk-3301 capture says
/// 1980-01-05, then 1980-01-12, before its first fix on 2008-08-23). An epoch without a date of
/// its own takes the date that puts it nearest in time to the previous epoch (so 23:59:59
/// followed by 00:00:00 crosses midnight, and a clock that steps back a little stays on its day).
///
/// **Held fixes.** Valid positions in epochs before the first date (a GGA-only receiver start,
/// or GGA fixes before the first RMC with status A) are held, in order, until an epoch with a
/// date arrives; then each is dated backwards, nearest in time to the epoch after it, and they
/// are emitted before that epoch's fix (`FixAssembly.fixesDatedBackwards`). If no date ever
/// arrives they are dropped and counted (`undatedFixesDropped`): a fix needs an instant.
///
/// **Against GPSBabel** (`gpsbabel -t -i nmea`, 1.8.0), which the capture tests run on every
/// real capture. Where both emit a fix, times agree to the millisecond and positions within
/// 1e-6 degree. They differ by design in which sentences start a fix:
/// - GPSBabel starts a point at each valid RMC until it has seen a GGA, and from then on only at
///   each valid GGA; a later valid RMC re-times (and re-dates) the latest point instead. For a
///   receiver that sends RMC before GGA in each epoch (garmin15x, quectel-L70) GPSBabel's first
///   point is the first RMC's, and each later point k has the position and altitude of epoch
///   k - 1 with the time of epoch k; the last epoch's GGA is never written, so the counts are
///   equal. Here every point has its own epoch's time. With GGA first in the epoch (bu353,
///   mtk-3301, beidou-gb, nmea-fuzzy-cases) the two agree point for point.
/// - An epoch whose RMC is valid but whose GGA is not (or is missing) after GPSBabel has seen a
///   GGA: here it is a fix; GPSBabel writes no point and re-times its previous point to it.
/// - Two-digit years 80-99: 19xx here, 20xx in GPSBabel (both ignore RMC status V, so the
///   captures never show it; a synthetic test does).
/// - Undated epochs after a date: GPSBabel moves one to the next day whenever its time of day
///   is earlier than the previous point's, so any clock step backwards is read as a midnight;
///   here only a step back of more than 12 hours is.
/// GPSBabel also holds fixes before the first date and dates them backwards (from the last date
/// in the file), and drops every point when the file has no date at all: the same as here.
public struct FixAssembler: Sendable {
    private var open: Epoch?
    /// The instant (milliseconds since 1970) of the latest epoch with a date, its own or inferred.
    private var lastDated: Int64?
    /// Fixes before the first date; their `time` holds milliseconds since midnight until dated.
    private var held: [GPSFix] = []
    private var result = FixAssembly()

    public init() {}

    /// The fixes of `sentences`, in order.
    public static func assemble(_ sentences: [NMEASentence]) -> FixAssembly {
        var assembler = FixAssembler()
        for sentence in sentences { assembler.add(sentence) }
        return assembler.finish()
    }

    /// Adds the next sentence of the log.
    public mutating func add(_ sentence: NMEASentence) {
        switch sentence {
        case .rmc(let s):
            if let epoch = epoch(at: s.time, positionIsValid: s.isValid && s.latitude != nil && s.longitude != nil) {
                open = epoch
                Epoch.keep(&open!.rmc, s) { $0.isValid && $0.latitude != nil && $0.longitude != nil }
            }
        case .gga(let s):
            if let epoch = epoch(at: s.time, positionIsValid: s.isValid && s.latitude != nil && s.longitude != nil) {
                open = epoch
                Epoch.keep(&open!.gga, s) { $0.isValid && $0.latitude != nil && $0.longitude != nil }
            }
        case .gll(let s):
            if let epoch = epoch(at: s.time, positionIsValid: s.isValid && s.latitude != nil && s.longitude != nil) {
                open = epoch
                Epoch.keep(&open!.gll, s) { $0.isValid && $0.latitude != nil && $0.longitude != nil }
            }
        case .zda(let s):
            if let epoch = epoch(at: s.time, positionIsValid: false) {
                open = epoch
                Epoch.keep(&open!.zda, s) { $0.date != nil }
            }
        case .gsa(let s):
            open?.gsas.append(s)
        case .vtg(let s):
            if open != nil && open!.vtg == nil { open!.vtg = s }
        case .gsv, .txt:
            break
        }
    }

    /// Closes the last epoch and returns everything assembled. Held fixes that never got a date
    /// are counted as dropped. The assembler starts afresh afterwards.
    public mutating func finish() -> FixAssembly {
        if let epoch = open { close(epoch) }
        var out = result
        out.undatedFixesDropped += held.count
        self = FixAssembler()
        return out
    }

    /// The open epoch if `time` is its time, else a new one (after closing the open one); nil
    /// for a sentence without a time, which cannot be placed.
    private mutating func epoch(at time: NMEATimeOfDay?, positionIsValid: Bool) -> Epoch? {
        guard let time else {
            if positionIsValid { result.untimedPositionsIgnored += 1 }
            return nil
        }
        if let current = open, current.time == time { return current }
        if let current = open { close(current) }
        return Epoch(time: time)
    }

    private mutating func close(_ epoch: Epoch) {
        open = nil
        result.epochs += 1
        let fix = epoch.fix()
        if fix == nil { result.epochsWithoutPosition += 1 }
        let timeOfDay = Int64(epoch.time.millisecondsSinceMidnight)
        let instant: Int64
        if let date = epoch.date {
            instant = Int64(date.daysSince1970) * Int64(NMEATimeOfDay.millisecondsPerDay) + timeOfDay
            var reference = instant
            for k in held.indices.reversed() {
                held[k].time = nearest(timeOfDay: held[k].time, to: reference)
                reference = held[k].time
            }
            result.fixes += held
            result.fixesDatedBackwards += held.count
            held = []
        } else if let last = lastDated {
            instant = nearest(timeOfDay: timeOfDay, to: last)
        } else {
            if var fix {
                fix.time = timeOfDay
                held.append(fix)
            }
            return
        }
        lastDated = instant
        if var fix {
            fix.time = instant
            result.fixes.append(fix)
        }
    }
}

/// The instant with time of day `timeOfDay` on the day before, of or after `reference`'s day
/// that is nearest to `reference` (the same day on a tie).
func nearest(timeOfDay: Int64, to reference: Int64) -> Int64 {
    let day = Int64(NMEATimeOfDay.millisecondsPerDay)
    let base = (reference >= 0 ? reference / day : (reference - day + 1) / day) * day + timeOfDay
    var best = base
    for candidate in [base + day, base - day] where abs(candidate - reference) < abs(best - reference) {
        best = candidate
    }
    return best
}
