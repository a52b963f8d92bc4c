/// Reads the comma-separated data fields of one sentence (the address field and checksum
/// already removed), naming the field in every error.
///
/// Guarantees: an empty field, or one past the end, reads as nil (NMEA leaves a field empty when
/// it has no value); a non-empty field that is not exactly of its type's form is an
/// `NMEAFieldError`, never a guess. Numbers are plain decimals (no sign but an optional leading
/// "-", no exponent, no "inf"/"nan") of at most nine integer digits, so every value the parser
/// returns is finite and small enough for any writer.
struct NMEAFields {
    let fields: [Substring]
    /// The address field, for errors.
    let sentence: String

    init(_ fields: [Substring], sentence: String) {
        self.fields = fields
        self.sentence = sentence
    }

    var count: Int { fields.count }

    func fail(_ field: String, _ reason: String) -> NMEAFieldError {
        NMEAFieldError(sentence: sentence, field: field, reason: reason)
    }

    /// Fails unless there are at least `minimum` fields; `last` names the last required one.
    func require(_ minimum: Int, last: String) throws(NMEAFieldError) {
        if fields.count < minimum {
            throw fail(last, "is missing: the sentence has \(fields.count) data fields, \(String(sentence.suffix(3))) needs at least \(minimum)")
        }
    }

    /// The raw text of field `i`, nil if empty or absent.
    func text(_ i: Int) -> Substring? {
        guard i < fields.count, !fields[i].isEmpty else { return nil }
        return fields[i]
    }

    /// A single character out of `allowed`.
    func letter(_ i: Int, _ name: String, allowed: String) throws(NMEAFieldError) -> Character? {
        guard let t = text(i) else { return nil }
        guard t.count == 1, let c = t.first, allowed.contains(c) else {
            throw fail(name, "is \"\(t)\", expected one of \(allowed.map { String($0) }.joined(separator: ", "))")
        }
        return c
    }

    /// A non-negative integer of at most nine digits, within `range`.
    func integer(_ i: Int, _ name: String, _ range: ClosedRange<Int>) throws(NMEAFieldError) -> Int? {
        guard let t = text(i) else { return nil }
        guard t.utf8.count <= 9, t.utf8.allSatisfy(isDigit), let v = Int(t) else {
            throw fail(name, "is \"\(t)\", not a whole number")
        }
        guard range.contains(v) else {
            throw fail(name, "is \(v), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// A decimal number: optional "-", digits, optional "." and digits.
    func decimal(_ i: Int, _ name: String, allowNegative: Bool = false) throws(NMEAFieldError) -> Double? {
        guard let t = text(i) else { return nil }
        guard let v = plainDecimal(t, allowNegative: allowNegative) else {
            throw fail(name, "is \"\(t)\", not a \(allowNegative ? "" : "non-negative ")decimal number")
        }
        return v
    }

    /// A time of day, "hhmmss" with an optional fraction of a second ("hhmmss.sss").
    func time(_ i: Int, _ name: String = "time") throws(NMEAFieldError) -> NMEATimeOfDay? {
        guard let t = text(i) else { return nil }
        guard let v = NMEATimeOfDay(nmea: t) else {
            throw fail(name, "is \"\(t)\", not a UTC time hhmmss[.sss] with hh < 24, mm < 60, ss < 60")
        }
        return v
    }

    /// A date "ddmmyy", the year by `NMEADate.year(twoDigit:)`.
    func date(_ i: Int, _ name: String = "date") throws(NMEAFieldError) -> NMEADate? {
        guard let t = text(i) else { return nil }
        let u = Array(t.utf8)
        guard u.count == 6, u.allSatisfy(isDigit) else {
            throw fail(name, "is \"\(t)\", not ddmmyy")
        }
        let d = Int(u[0] - 0x30) * 10 + Int(u[1] - 0x30)
        let m = Int(u[2] - 0x30) * 10 + Int(u[3] - 0x30)
        let yy = Int(u[4] - 0x30) * 10 + Int(u[5] - 0x30)
        guard let date = NMEADate(year: NMEADate.year(twoDigit: yy), month: m, day: d) else {
            throw fail(name, "is \"\(t)\", not a calendar date")
        }
        return date
    }

    /// A latitude "ddmm.mmmm" and its hemisphere in the next field, in signed degrees (north
    /// positive). Both empty is nil; one without the other is an error.
    func latitude(_ i: Int) throws(NMEAFieldError) -> Double? {
        try coordinate(i, name: "latitude", limit: 90, positive: "N", negative: "S")
    }

    /// A longitude "dddmm.mmmm" and its hemisphere in the next field, in signed degrees (east
    /// positive).
    func longitude(_ i: Int) throws(NMEAFieldError) -> Double? {
        try coordinate(i, name: "longitude", limit: 180, positive: "E", negative: "W")
    }

    private func coordinate(_ i: Int, name: String, limit: Int, positive: Character, negative: Character) throws(NMEAFieldError) -> Double? {
        let value = text(i)
        let hemisphere = text(i + 1)
        if value == nil && hemisphere == nil { return nil }
        guard let value else { throw fail(name, "is empty but its hemisphere is \"\(hemisphere ?? "")\"") }
        guard let hemisphere else { throw fail(name + " hemisphere", "is empty but the \(name) is \"\(value)\"") }
        guard hemisphere.count == 1, let h = hemisphere.first, h == positive || h == negative else {
            throw fail(name + " hemisphere", "is \"\(hemisphere)\", expected \(positive) or \(negative)")
        }
        // Degrees are every integer digit but the last two; minutes are the rest. Leading zeros
        // are not required ("807.5" is 8°07.5'), but minutes must be written with two digits.
        let u = value.utf8
        let dot = u.firstIndex(of: 0x2E) ?? u.endIndex
        let integerDigits = u.distance(from: u.startIndex, to: dot)
        guard integerDigits >= 3, plainDecimal(value, allowNegative: false) != nil else {
            throw fail(name, "is \"\(value)\", not ddmm.mmmm")
        }
        let degreeText = value[value.startIndex..<u.index(dot, offsetBy: -2)]
        guard let degrees = Int(degreeText), degrees <= limit else {
            throw fail(name, "is \"\(value)\": \(degreeText) degrees is over \(limit)")
        }
        // The minutes are re-read from their own digits rather than computed as
        // whole - 100 * degrees, so that "4134.49821229" keeps every digit it was sent with.
        guard let minutes = plainDecimal(value[u.index(dot, offsetBy: -2)...], allowNegative: false), minutes < 60 else {
            throw fail(name, "is \"\(value)\": minutes are not below 60")
        }
        let result = Double(degrees) + minutes / 60
        guard result <= Double(limit) else {
            throw fail(name, "is \"\(value)\", beyond \(limit) degrees")
        }
        return h == negative ? -result : result
    }
}

/// Optional "-", 1 to 9 integer digits, optional "." followed by 0 or more digits; nil otherwise.
func plainDecimal(_ t: Substring, allowNegative: Bool) -> Double? {
    var u = t.utf8[...]
    if u.first == 0x2D {
        guard allowNegative else { return nil }
        u = u.dropFirst()
    }
    let dot = u.firstIndex(of: 0x2E)
    let integerPart = u[..<(dot ?? u.endIndex)]
    let fractionPart = dot.map { u[u.index(after: $0)...] } ?? u[u.endIndex...]
    guard integerPart.count + fractionPart.count > 0, integerPart.count <= 9,
          integerPart.allSatisfy(isDigit), fractionPart.allSatisfy(isDigit) else { return nil }
    // Swift's Double parser accepts exactly this form (and more, which the checks above exclude).
    // "5." and ".5" are valid NMEA and parse as expected.
    var s = String(t)
    if s.hasSuffix(".") { s.removeLast() }
    if s.hasPrefix(".") { s = "0" + s } else if s.hasPrefix("-.") { s = "-0" + s.dropFirst() }
    return Double(s)
}
