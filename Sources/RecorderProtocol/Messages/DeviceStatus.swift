/// STATUS request: empty.
public struct StatusRequest: RequestMessage {
    public static let opcode = Opcode.status
    public init() {}
    public init(payload: [UInt8]) throws(MessageError) { try Self.reader(payload).finish() }
    public func encode(into w: inout ByteWriter) {}
}

/// STATUS reply: the recorder's health.
///
/// ```
/// u8   battery          percent 0...100, 255 = unknown
/// u8   flags            bit 0 charging, bit 1 recording in progress
/// u64  storageTotal     bytes
/// u64  storageFree      bytes, ≤ storageTotal
/// i16  temperature      tenths of a degree Celsius, 0x7FFF = unknown
/// ```
public struct StatusReply: ReplyMessage {
    public static let opcode = Opcode.status
    public static let unknownBattery: UInt8 = 255
    public static let unknownTemperature: Int16 = 0x7FFF

    public var battery: UInt8
    public var charging: Bool
    public var recording: Bool
    public var storageTotal: UInt64
    public var storageFree: UInt64
    public var temperatureDeciCelsius: Int16

    public init(battery: UInt8, charging: Bool, recording: Bool, storageTotal: UInt64,
                storageFree: UInt64, temperatureDeciCelsius: Int16) {
        self.battery = battery
        self.charging = charging
        self.recording = recording
        self.storageTotal = storageTotal
        self.storageFree = storageFree
        self.temperatureDeciCelsius = temperatureDeciCelsius
    }

    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        battery = try r.u8("battery")
        let flags = try r.u8("flags")
        charging = flags & 1 != 0
        recording = flags & 2 != 0
        storageTotal = try r.u64("storageTotal")
        storageFree = try r.u64("storageFree")
        temperatureDeciCelsius = try r.i16("temperature")
        try r.finish()
        if battery > 100 && battery != StatusReply.unknownBattery {
            throw r.fail("battery", "is \(battery)%, outside 0...100 (255 = unknown)")
        }
        if storageFree > storageTotal {
            throw r.fail("storageFree", "(\(storageFree)) exceeds storageTotal (\(storageTotal))")
        }
    }

    public func encode(into w: inout ByteWriter) {
        w.u8(battery)
        w.u8((charging ? 1 : 0) | (recording ? 2 : 0))
        w.u64(storageTotal)
        w.u64(storageFree)
        w.i16(temperatureDeciCelsius)
    }
}
