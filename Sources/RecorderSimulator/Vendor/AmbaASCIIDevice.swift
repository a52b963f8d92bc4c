import Calendrical
import RecorderHAL

/// The device end of an amba-ascii recorder: ASCII commands `@<name>;<length>;<argument>;#`
/// arrive on bulk OUT 0x01, each answered by one reply on bulk IN 0x81 (written here from the
/// family's published facts, not with the gateway's encoder):
/// `@Ver;8;00000000;#` → `@Ver;OK;SIM1#`; `@Gdv;8;<password>;#` → `@Gdv;8;<device id>#`, or
/// `@Gdv;ERROR#` for a wrong password; `@Sdt;8;YYYYMMDD;#` and `@Stm;6;HHmmss00;#` → `@Sdt;OK#`,
/// `@Stm;OK#` (a date or time that does not exist, or one sent before the login: `ERROR`);
/// `@ATH;8;<password>;#` → `@ATH;OK#`, after which the device leaves the bus and comes back as
/// mass storage. Anything else → `@ERROR#`. After `lockout` wrong passwords every command that
/// carries one is answered `@ERROR;LOCKED#`.
actor AmbaASCIIDevice: SimulatedTransferDevice {
    nonisolated let interfaceNumber: UInt8 = 0
    nonisolated let endpointsDescription = "ep 0x01/0x81"

    private let personality: VendorPersonality
    private var passwords: PasswordCounter
    private var loggedIn = false
    /// The reply waiting for the host's next bulk IN; nil: the device NAKs.
    private var pending: [UInt8]?
    /// Set when the switch was accepted: the device leaves once its answer has been read.
    private var leaving = false
    private var gone = false
    /// What `@Sdt` and `@Stm` last set, as sent ("20261206", "14300500").
    private(set) var dateSet: String?
    private(set) var timeSet: String?

    init(_ personality: VendorPersonality) {
        self.personality = personality
        passwords = PasswordCounter(limit: personality.lockoutAttempts, lasts: personality.lockoutLasts)
    }

    func unplug() { gone = true }

    func receive(_ bytes: [UInt8]) throws(LinkError) {
        if gone { throw .deviceGone }
        if pending != nil {
            // The previous reply was never read: the device answers the new command instead.
            pending = nil
        }
        guard let (name, length, argument) = Self.parse(bytes) else {
            personality.log.append("unparsed", text: "\(bytes.count) bytes not of the form @name;length;argument;#")
            pending = Array("@ERROR#".utf8)
            return
        }
        let carriesPassword = name == "Gdv" || name == "ATH"
        let matched = carriesPassword ? !passwords.locked && passwords.check(argument, against: personality.password) : nil
        personality.log.append(name, text: "@\(name);\(length);" + (carriesPassword ? "<password>" : String(decoding: argument, as: UTF8.self)) + ";#",
                               passwordMatched: matched)
        for case .alreadyInStorageMode(let error) in personality.vendor.faults {
            pending = error ? Array("@\(name);ERROR#".utf8) : []
            return
        }
        var reply = answer(name, length: length, argument: argument, passwordMatched: matched)
        if personality.emptyReply(name) { reply = [] }
        if let n = personality.longReply(name) { reply += [UInt8](repeating: UInt8(ascii: "A"), count: max(0, n - reply.count)) }
        if leaving && personality.has(.leaveWithoutAnswer) {
            gone = true
            personality.leave()
            return
        }
        pending = reply
    }

    private func answer(_ name: String, length: String, argument: [UInt8], passwordMatched: Bool?) -> [UInt8] {
        // Locked, it refuses every password, the right one too; `@Ver` carries none and is
        // still answered.
        if passwords.locked && passwordMatched == false { return Array("@ERROR;LOCKED#".utf8) }
        let text: String
        switch name {
        case "Ver" where length == "8" && argument == Array("00000000".utf8):
            text = "@Ver;OK;SIM1#"
        case "Gdv" where length == "8":
            guard passwordMatched == true else { return Array("@Gdv;ERROR#".utf8) }
            loggedIn = true
            if personality.has(.echoPassword) {
                // The password as the device id, in the reply's own shape: an id of letters
                // and digits passes every check of the id's form, so only the gateway's
                // comparison with the password can refuse it.
                return Array("@Gdv;8;".utf8) + personality.password + Array("#".utf8)
            }
            let id = personality.vendor.faults.compactMap { if case .garbageId(let g) = $0 { g } else { nil } }.first ?? personality.vendor.deviceId
            text = "@Gdv;8;\(id)#"
        case "Sdt" where length == "8" && loggedIn && Self.isDate(argument):
            dateSet = String(decoding: argument, as: UTF8.self)
            text = "@Sdt;OK#"
        case "Stm" where length == "6" && loggedIn && Self.isTime(argument):
            timeSet = String(decoding: argument, as: UTF8.self)
            text = "@Stm;OK#"
        case "ATH" where length == "8":
            guard passwordMatched == true, !personality.has(.refuseDiskMode) else { return Array("@ATH;ERROR#".utf8) }
            leaving = true
            text = "@ATH;OK#"
        case "Gdv", "Sdt", "Stm", "ATH":
            text = "@\(name);ERROR#"
        default:
            text = "@ERROR#"
        }
        return Array(text.utf8)
    }

    func send(upTo length: Int) throws(LinkError) -> [UInt8] {
        if gone { throw .deviceGone }
        guard let reply = pending else { throw .timedOut(direction: .bulkIn, milliseconds: 0) }
        let n = min(length, reply.count)
        pending = n < reply.count ? Array(reply[n...]) : nil
        if pending == nil && leaving {
            gone = true
            personality.leave()
        }
        return Array(reply[..<n])
    }

    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int) throws(LinkError) -> [UInt8] {
        if gone { throw .deviceGone }
        // CLEAR_FEATURE(ENDPOINT_HALT) is harmless; nothing else is answered on the default pipe.
        if requestType == 0x02 && request == 0x01 { return [] }
        throw .stalled(endpoint: 0)
    }

    func clearHalt(_ direction: LinkError.Direction) throws(LinkError) {
        if gone { throw .deviceGone }
    }

    /// `@name;length;argument;#` in visible ASCII, or nil.
    static func parse(_ bytes: [UInt8]) -> (String, String, [UInt8])? {
        guard bytes.count >= 5, bytes.count <= 64, bytes.first == UInt8(ascii: "@"),
              bytes.suffix(2) == [UInt8(ascii: ";"), UInt8(ascii: "#")],
              bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        let fields = bytes[1..<(bytes.count - 2)].split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[0].isEmpty else { return nil }
        return (String(decoding: fields[0], as: UTF8.self), String(decoding: fields[1], as: UTF8.self), Array(fields[2]))
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }

    /// YYYYMMDD of a day that exists.
    static func isDate(_ a: [UInt8]) -> Bool {
        guard a.count == 8, let y = number(a[0..<4]), let m = number(a[4..<6]), let d = number(a[6..<8]),
              y >= 1, (1...12).contains(m) else { return false }
        return (1...CivilCalendar.daysIn(month: m, year: y)).contains(d)
    }

    /// HHmmss00.
    static func isTime(_ a: [UInt8]) -> Bool {
        guard a.count == 8, let h = number(a[0..<2]), let m = number(a[2..<4]), let s = number(a[4..<6]),
              a[6] == 0x30, a[7] == 0x30 else { return false }
        return h < 24 && m < 60 && s < 60
    }
}
