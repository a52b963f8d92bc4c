import Foundation

extension BagInfo {
    /// The software named in `Bag-Software-Agent`.
    public static let softwareAgent = "recorder-gateway"

    /// The bag-info of one dock session, labels in this order:
    ///
    /// ```
    /// Source-Organization: <unit name>
    /// External-Identifier: <recorder serial>
    /// Bagging-Date: <yyyy-MM-dd, UTC>
    /// Payload-Oxum: <bytes>.<files>
    /// Officer-Number, Officer-Name, Unit-Number, Gateway-Id, Bay,
    /// Dock-Start-UTC, Dock-End-UTC: <yyyy-MM-ddTHH:mm:ss.SSSZ>
    /// Clock-Offset-Ms: <device clock minus gateway clock, 3 decimals>
    /// Bag-Software-Agent: recorder-gateway
    /// ```
    ///
    /// The names and numbers come from the recorder and are untrusted: one with a line break or
    /// a control character throws `BagInfoError.invalidValue` naming its label, and the caller
    /// decides (the custody record keeps the exact strings either way). Empty values are
    /// written as empty (a recorder with no officer name assigned).
    ///
    /// - Parameters:
    ///   - baggingDate: when the bag was made; written as its UTC day, like every time here.
    ///   - clockOffsetMs: nil when the offset could not be measured; the label is then left out.
    public static func dockSession(
        sourceOrganization: String,
        externalIdentifier: String,
        baggingDate: Date,
        payloadBytes: UInt64,
        payloadFiles: Int,
        officerNumber: String,
        officerName: String,
        unitNumber: String,
        gatewayId: String,
        bay: String,
        dockStart: Date,
        dockEnd: Date,
        clockOffsetMs: Double?
    ) throws(BagInfoError) -> BagInfo {
        var info = BagInfo()
        try info.append("Source-Organization", sourceOrganization)
        try info.append("External-Identifier", externalIdentifier)
        try info.append("Bagging-Date", UTCTimestamp.day(baggingDate))
        try info.append("Payload-Oxum", BagIt.payloadOxum(bytes: payloadBytes, files: payloadFiles))
        try info.append("Officer-Number", officerNumber)
        try info.append("Officer-Name", officerName)
        try info.append("Unit-Number", unitNumber)
        try info.append("Gateway-Id", gatewayId)
        try info.append("Bay", bay)
        try info.append("Dock-Start-UTC", UTCTimestamp.string(dockStart))
        try info.append("Dock-End-UTC", UTCTimestamp.string(dockEnd))
        if let clockOffsetMs {
            try info.append("Clock-Offset-Ms", millisecondsText(clockOffsetMs))
        }
        try info.append("Bag-Software-Agent", softwareAgent)
        return info
    }

    /// `-1234.500`: always three decimals, no exponent, no locale, so the text of a given
    /// offset never changes (it is covered by the tag manifest; custody.json, which is signed,
    /// holds the same offset).
    static func millisecondsText(_ ms: Double) -> String {
        guard ms.isFinite else { return ms.isNaN ? "nan" : (ms < 0 ? "-inf" : "inf") }
        let thousandths = (ms * 1000).rounded()
        // Beyond 2^53 thousandths a Double has no fractional digits left to show, but it is still
        // a whole number, written in full: clamping it to Int64 would state another offset.
        // ("%.0f" prints the exact decimal of the double; no locale applies to it.)
        guard abs(thousandths) < 9_007_199_254_740_992 else { return String(format: "%.0f", ms) + ".000" }
        let t = Int64(thousandths)
        let sign = t < 0 ? "-" : ""
        let m = t.magnitude
        return "\(sign)\(m / 1000).\(String(m % 1000).leftPadded(to: 3))"
    }
}

