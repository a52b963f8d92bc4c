/// One accepted standard sentence, decoded: its checksum matched (or was allowed to be absent)
/// and every field it has is of the right form.
///
/// Each payload keeps its talker, so "GPGGA" and "GNGGA" stay distinguishable. Values are in
/// the units the sentence uses (knots stay knots here; `FixAssembler` converts).
public enum NMEASentence: Equatable, Sendable {
    case rmc(RMC)
    case gga(GGA)
    case gsa(GSA)
    case gsv(GSV)
    case vtg(VTG)
    case zda(ZDA)
    case gll(GLL)
    case txt(TXT)

    public var talker: NMEATalker {
        switch self {
        case .rmc(let s): s.talker
        case .gga(let s): s.talker
        case .gsa(let s): s.talker
        case .gsv(let s): s.talker
        case .vtg(let s): s.talker
        case .zda(let s): s.talker
        case .gll(let s): s.talker
        case .txt(let s): s.talker
        }
    }

    public var type: NMEASentenceType {
        switch self {
        case .rmc: .rmc
        case .gga: .gga
        case .gsa: .gsa
        case .gsv: .gsv
        case .vtg: .vtg
        case .zda: .zda
        case .gll: .gll
        case .txt: .txt
        }
    }

    /// Decodes the data fields of a sentence of `type`.
    static func decode(_ type: NMEASentenceType, talker: NMEATalker, fields: NMEAFields) throws(NMEAFieldError) -> NMEASentence {
        switch type {
        case .rmc: .rmc(try RMC(talker: talker, fields: fields))
        case .gga: .gga(try GGA(talker: talker, fields: fields))
        case .gsa: .gsa(try GSA(talker: talker, fields: fields))
        case .gsv: .gsv(try GSV(talker: talker, fields: fields))
        case .vtg: .vtg(try VTG(talker: talker, fields: fields))
        case .zda: .zda(try ZDA(talker: talker, fields: fields))
        case .gll: .gll(try GLL(talker: talker, fields: fields))
        case .txt: .txt(try TXT(talker: talker, fields: fields))
        }
    }
}

/// The sentence formatters this parser decodes. Any other standard formatter (GNS, GST, GRS,
/// ...) is counted as an unknown type.
public enum NMEASentenceType: String, CaseIterable, Hashable, Comparable, Sendable, Codable {
    case rmc = "RMC"
    case gga = "GGA"
    case gsa = "GSA"
    case gsv = "GSV"
    case vtg = "VTG"
    case zda = "ZDA"
    case gll = "GLL"
    case txt = "TXT"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The FAA mode indicator that NMEA 2.3 added to RMC, GLL and VTG: how the position was obtained.
public enum NMEAPositioningMode: String, Hashable, Sendable, Codable {
    case autonomous = "A"
    case differential = "D"
    case estimated = "E"
    case floatRTK = "F"
    case manual = "M"
    case notValid = "N"
    case precise = "P"
    case rtk = "R"
    case simulator = "S"

    static let letters = "ADEFMNPRS"

    init?(_ c: Character?) {
        guard let c else { return nil }
        self.init(rawValue: String(c))
    }
}
