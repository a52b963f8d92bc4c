/// IDENTITY request: empty payload. Allowed before authentication.
public struct IdentityRequest: RequestMessage {
    public static let opcode = Opcode.identity
    public init() {}
    public init(payload: [UInt8]) throws(MessageError) {
        try Self.reader(payload).finish()
    }
    public func encode(into w: inout ByteWriter) {}
}

/// IDENTITY reply: who the recorder is and whom it is issued to, as the public-security SDKs'
/// `ZFY_INFO` structure carries it (GA/T 947 practice), in UTF-8.
///
/// ```
/// str serial         exactly 7 ASCII letters or digits (cSerial)
/// str model          ≤ 32 bytes
/// str firmware       ≤ 32 bytes
/// str officerNumber  empty (unassigned) or exactly 6 ASCII letters or digits (userNo, 警号)
/// str officerName    ≤ 64 bytes (userName; 32 bytes GBK on the device)
/// str unitNumber     empty or exactly 12 ASCII letters or digits (unitNo)
/// str unitName       ≤ 128 bytes (unitName; 64 bytes GBK on the device)
/// str hardwareId     ≤ 64 bytes (chip id or IMEI, whatever the vendor has)
/// ```
/// Every `str` is a u16 byte count then UTF-8 without NUL bytes.
public struct IdentityReply: ReplyMessage {
    public static let opcode = Opcode.identity
    public var serial: String
    public var model: String
    public var firmware: String
    public var officerNumber: String
    public var officerName: String
    public var unitNumber: String
    public var unitName: String
    public var hardwareId: String

    public init(serial: String, model: String, firmware: String, officerNumber: String,
                officerName: String, unitNumber: String, unitName: String, hardwareId: String) {
        self.serial = serial
        self.model = model
        self.firmware = firmware
        self.officerNumber = officerNumber
        self.officerName = officerName
        self.unitNumber = unitNumber
        self.unitName = unitName
        self.hardwareId = hardwareId
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        serial = try r.string("serial", maxBytes: 7)
        model = try r.string("model", maxBytes: 32)
        firmware = try r.string("firmware", maxBytes: 32)
        officerNumber = try r.string("officerNumber", maxBytes: 6)
        officerName = try r.string("officerName", maxBytes: 64)
        unitNumber = try r.string("unitNumber", maxBytes: 12)
        unitName = try r.string("unitName", maxBytes: 128)
        hardwareId = try r.string("hardwareId", maxBytes: 64)
        try r.finish()
        if let problem = IdentityReply.codeProblem(serial, length: 7, allowEmpty: false) {
            throw r.fail("serial", problem)
        }
        if let problem = IdentityReply.codeProblem(officerNumber, length: 6, allowEmpty: true) {
            throw r.fail("officerNumber", problem)
        }
        if let problem = IdentityReply.codeProblem(unitNumber, length: 12, allowEmpty: true) {
            throw r.fail("unitNumber", problem)
        }
    }

    public func encode(into w: inout ByteWriter) {
        for s in [serial, model, firmware, officerNumber, officerName, unitNumber, unitName, hardwareId] {
            w.string(s)
        }
    }

    /// Why `code` is not a valid fixed-length identifier, or nil when it is.
    public static func codeProblem(_ code: String, length: Int, allowEmpty: Bool) -> String? {
        if code.isEmpty && allowEmpty { return nil }
        let ok = code.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        if !ok { return "\"\(code)\" must be ASCII letters and digits only" }
        if code.utf8.count != length {
            return "\"\(code)\" must be exactly \(length) characters\(allowEmpty ? " (or empty)" : "")"
        }
        return nil
    }
}
