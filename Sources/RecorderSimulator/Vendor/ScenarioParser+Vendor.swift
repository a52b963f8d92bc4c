import RecorderHAL

extension Scenario {
    /// A recorder's `"family"` and `"vendor"` (Docs/simulator.md §13): nil for protocol v1 and
    /// plain mass-storage recorders. A vendor family needs `"storage"` (what it becomes after
    /// the switch).
    static func vendor(_ w: JSONWalker, identity: RecorderIdentity, hasStorage: Bool) throws(ScenarioError) -> VendorScenario? {
        let name = try w.optionalString("family")
        let family: VendorScenario.Family
        switch name {
        case nil, "zfy-bulk-v1", "usb-mass-storage":
            if name == "usb-mass-storage" && !hasStorage {
                throw ScenarioError(path: w.at("storage"), reason: "is required for family usb-mass-storage")
            }
            if name == "zfy-bulk-v1" && hasStorage {
                throw ScenarioError(path: w.at("family"), reason: "zfy-bulk-v1 has no \"storage\"; a recorder with one is usb-mass-storage or a vendor family")
            }
            if w.has("vendor") { throw ScenarioError(path: w.at("vendor"), reason: "applies only to a vendor family (amba-ctrl, amba-ascii)") }
            return nil
        case let n?:
            guard let f = VendorScenario.Family(rawValue: n) else {
                throw ScenarioError(path: w.at("family"), reason: "\"\(n)\" is not a family (zfy-bulk-v1, usb-mass-storage, amba-ctrl, amba-ascii)")
            }
            family = f
        }
        guard hasStorage else {
            throw ScenarioError(path: w.at("storage"), reason: "is required for family \(family.rawValue): the mass-storage device it becomes after the switch")
        }
        var v = VendorScenario(family: family, deviceId: identity.serial)
        guard let o = try w.object("vendor") else { return v }
        try o.allowKeys(["deviceId", "storageUsb", "faults", "usbSerial"])
        if let presence = try o.optionalString("usbSerial") {
            guard let p = VendorScenario.USBSerialPresence(rawValue: presence) else {
                throw ScenarioError(path: o.at("usbSerial"), reason: "must be \"both\", \"disk\" or \"none\"")
            }
            v.usbSerial = p
        }
        if let id = try o.optionalString("deviceId") {
            guard family == .ambaASCII else { throw ScenarioError(path: o.at("deviceId"), reason: "applies only to amba-ascii (amba-ctrl has no id command)") }
            guard (1...56).contains(id.utf8.count), id.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "#") }) else {
                throw ScenarioError(path: o.at("deviceId"), reason: "must be 1...56 visible ASCII characters without ; or # (a hostile id goes in a garbageId fault)")
            }
            v.deviceId = id
        }
        if let usb = try o.object("storageUsb") {
            try usb.allowKeys(["vendorId", "productId"])
            func id(_ key: String) throws(ScenarioError) -> UInt16? {
                guard let s = try usb.optionalString(key) else { return nil }
                guard s.count == 4, let value = UInt16(s, radix: 16) else {
                    throw ScenarioError(path: usb.at(key), reason: "must be four hex digits, like \"1209\"")
                }
                return value
            }
            v.storageVendorId = try id("vendorId") ?? v.storageVendorId
            v.storageProductId = try id("productId") ?? v.storageProductId
        }
        if let list = try o.array("faults") {
            for (i, item) in list.enumerated() {
                v.faults.append(try vendorFault(try JSONWalker(item, path: o.at("faults[\(i)]")), family: family))
            }
        }
        return v
    }

    /// A vendor recorder's password: what its device compares the received one with.
    static func checkVendorPassword(_ password: String, field: String) throws(ScenarioError) {
        guard (1...59).contains(password.utf8.count), password.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw ScenarioError(path: field, reason: "must be 1...59 printable ASCII characters for a vendor family")
        }
    }

    private static func vendorFault(_ w: JSONWalker, family: VendorScenario.Family) throws(ScenarioError) -> VendorFault {
        let kind = try w.string("kind")
        let commands = family == .ambaASCII ? ["Ver", "Gdv", "Sdt", "Stm", "ATH"] : ["login", "diskMode"]
        func command() throws(ScenarioError) -> String {
            let c = try w.string("command")
            guard commands.contains(c) else {
                throw ScenarioError(path: w.at("command"), reason: "\"\(c)\" is not a \(family.rawValue) command (\(commands.joined(separator: ", ")))")
            }
            return c
        }
        switch kind {
        case "emptyReply":
            try w.allowKeys(["kind", "command"])
            return .emptyReply(command: try command())
        case "longReply":
            try w.allowKeys(["kind", "command", "bytes"])
            let c = try command()
            let range: ClosedRange<Int64> = family == .ambaASCII ? 65...512 : 0...64
            guard let n = try w.integer("bytes", in: range) else {
                throw ScenarioError(path: w.at("bytes"), reason: "is required (\(range.lowerBound)...\(range.upperBound))")
            }
            return .longReply(command: c, bytes: Int(n))
        case "garbageId":
            try w.allowKeys(["kind", "id"])
            guard family == .ambaASCII else { throw ScenarioError(path: w.at("kind"), reason: "garbageId applies only to amba-ascii") }
            let id = try w.string("id")
            guard id.utf8.count <= 56 else { throw ScenarioError(path: w.at("id"), reason: "must be at most 56 bytes (the reply holds 64)") }
            return .garbageId(id)
        case "echoPassword":
            try w.allowKeys(["kind"])
            return .echoPassword
        case "refuseDiskMode":
            try w.allowKeys(["kind"])
            return .refuseDiskMode
        case "alreadyInStorageMode":
            try w.allowKeys(["kind", "answer"])
            guard family == .ambaASCII else { throw ScenarioError(path: w.at("kind"), reason: "alreadyInStorageMode applies only to amba-ascii") }
            let answer = try w.optionalString("answer") ?? "empty"
            guard answer == "empty" || answer == "ERROR" else { throw ScenarioError(path: w.at("answer"), reason: "must be \"empty\" or \"ERROR\"") }
            return .alreadyInStorageMode(error: answer == "ERROR")
        case "leaveWithoutAnswer":
            try w.allowKeys(["kind"])
            return .leaveWithoutAnswer
        case "neverReturns":
            try w.allowKeys(["kind"])
            return .neverReturns
        case "returnsAfter":
            try w.allowKeys(["kind", "milliseconds"])
            guard let ms = try w.integer("milliseconds", in: 0...3_600_000) else {
                throw ScenarioError(path: w.at("milliseconds"), reason: "is required (0...3600000)")
            }
            return .returnsAfter(milliseconds: Int(ms))
        case "returnsOnPort":
            try w.allowKeys(["kind", "port"])
            let port = try w.string("port")
            guard !port.isEmpty, port.utf8.count <= 64, port.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-.".unicodeScalars.contains($0) }) else {
                throw ScenarioError(path: w.at("port"), reason: "must be a port path like 1-1.3 (letters, digits, - and ., at most 64)")
            }
            return .returnsOnPort(port)
        default:
            throw ScenarioError(path: w.at("kind"), reason: "\"\(kind)\" is not a vendor fault (emptyReply, longReply, garbageId, echoPassword, refuseDiskMode, alreadyInStorageMode, leaveWithoutAnswer, neverReturns, returnsAfter, returnsOnPort)")
        }
    }
}
