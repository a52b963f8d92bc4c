/// Capabilities a device announces in its HELLO reply.
public struct Capabilities: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// CATALOG entries carry the device's own SHA-256 of each file.
    public static let deviceHashes = Capabilities(rawValue: 1 << 0)
    /// IDENTITY is open, everything else needs AUTH_RESPONSE first.
    public static let authenticationRequired = Capabilities(rawValue: 1 << 1)
    /// CLOCK_SET is supported.
    public static let clockSet = Capabilities(rawValue: 1 << 2)
    /// RELEASE is supported (the device can free space on the host's word).
    public static let release = Capabilities(rawValue: 1 << 3)
    /// The catalog lists GPS logs.
    public static let gpsLog = Capabilities(rawValue: 1 << 4)
    /// The catalog lists a time log.
    public static let timeLog = Capabilities(rawValue: 1 << 5)
}

/// HELLO request: the versions and payload size the host can handle.
///
/// ```
/// u8   minVersion
/// u8   maxVersion
/// u32  maxPayload     largest payload the host accepts (≤ 16 MiB)
/// str  hostName       u16 length + UTF-8, ≤ 64 bytes (the gateway id, for the device's log)
/// ```
public struct HelloRequest: RequestMessage {
    public static let opcode = Opcode.hello
    public var minVersion: UInt8
    public var maxVersion: UInt8
    public var maxPayload: UInt32
    public var hostName: String

    public init(minVersion: UInt8 = 1, maxVersion: UInt8 = 1, maxPayload: UInt32, hostName: String) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.maxPayload = maxPayload
        self.hostName = hostName
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        minVersion = try r.u8("minVersion")
        maxVersion = try r.u8("maxVersion")
        maxPayload = try r.u32("maxPayload")
        hostName = try r.string("hostName", maxBytes: 64)
        try r.finish()
        if minVersion > maxVersion {
            throw r.fail("minVersion", "(\(minVersion)) is above maxVersion (\(maxVersion))")
        }
    }

    public func encode(into w: inout ByteWriter) {
        w.u8(minVersion)
        w.u8(maxVersion)
        w.u32(maxPayload)
        w.string(hostName)
    }
}

/// HELLO reply: the version chosen and the device's limits.
///
/// ```
/// u8   version        chosen from the host's range
/// u32  maxPayload     ≤ the host's maxPayload, ≥ 4096; applies to both directions from now on
/// u16  maxInFlight    requests the device accepts at once (≥ 1)
/// u32  capabilities   see Capabilities
/// ```
public struct HelloReply: ReplyMessage {
    public static let opcode = Opcode.hello
    public var version: UInt8
    public var maxPayload: UInt32
    public var maxInFlight: UInt16
    public var capabilities: Capabilities

    public init(version: UInt8 = 1, maxPayload: UInt32, maxInFlight: UInt16, capabilities: Capabilities) {
        self.version = version
        self.maxPayload = maxPayload
        self.maxInFlight = maxInFlight
        self.capabilities = capabilities
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        version = try r.u8("version")
        maxPayload = try r.u32("maxPayload")
        maxInFlight = try r.u16("maxInFlight")
        capabilities = Capabilities(rawValue: try r.u32("capabilities"))
        try r.finish()
        if maxPayload < UInt32(FrameHeader.initialMaximumPayload) || maxPayload > UInt32(FrameHeader.protocolMaximumPayload) {
            throw r.fail("maxPayload", "is \(maxPayload), outside 4096...\(FrameHeader.protocolMaximumPayload)")
        }
        if maxInFlight == 0 {
            throw r.fail("maxInFlight", "is 0; a device must accept at least one request")
        }
    }

    public func encode(into w: inout ByteWriter) {
        w.u8(version)
        w.u32(maxPayload)
        w.u16(maxInFlight)
        w.u32(capabilities.rawValue)
    }
}
