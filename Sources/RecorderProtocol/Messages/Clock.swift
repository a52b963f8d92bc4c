/// A device clock value: UTC milliseconds since 1970 plus the time zone the device displays.
public struct DeviceTime: Hashable, Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z by the device's clock.
    public var utcMilliseconds: Int64
    /// The device's time-zone offset from UTC in minutes (+480 for China Standard Time).
    public var zoneOffsetMinutes: Int16

    public init(utcMilliseconds: Int64, zoneOffsetMinutes: Int16) {
        self.utcMilliseconds = utcMilliseconds
        self.zoneOffsetMinutes = zoneOffsetMinutes
    }

    func encode(into w: inout ByteWriter) {
        w.i64(utcMilliseconds)
        w.i16(zoneOffsetMinutes)
    }

    init(from r: inout ByteReader) throws(MessageError) {
        utcMilliseconds = try r.i64("utcMilliseconds")
        zoneOffsetMinutes = try r.i16("zoneOffsetMinutes")
        if !(-14 * 60...14 * 60).contains(Int(zoneOffsetMinutes)) {
            throw r.fail("zoneOffsetMinutes", "is \(zoneOffsetMinutes), outside -840...840")
        }
    }
}

/// A message whose whole payload is one `DeviceTime` (CLOCK_GET's reply, CLOCK_SET's request):
/// the layout decoded and encoded here once, with the same zone bound for both.
public protocol DeviceTimeMessage: WireMessage {
    /// The device clock value the message carries.
    var time: DeviceTime { get }
    init(time: DeviceTime)
}

extension DeviceTimeMessage {
    public init(payload: [UInt8]) throws(MessageError) {
        var r = Self.reader(payload)
        let time = try DeviceTime(from: &r)
        try r.finish()
        self.init(time: time)
    }

    public func encode(into w: inout ByteWriter) { time.encode(into: &w) }
}

/// CLOCK_GET request: empty.
public struct ClockGetRequest: RequestMessage {
    public static let opcode = Opcode.clockGet
    public init() {}
    public init(payload: [UInt8]) throws(MessageError) { try Self.reader(payload).finish() }
    public func encode(into w: inout ByteWriter) {}
}

/// CLOCK_GET reply: `i64 utcMilliseconds, i16 zoneOffsetMinutes`, read as late as possible
/// before the reply is queued so the host's round-trip correction holds.
public struct ClockGetReply: ReplyMessage, DeviceTimeMessage {
    public static let opcode = Opcode.clockGet
    public var time: DeviceTime

    public init(time: DeviceTime) { self.time = time }
}

/// CLOCK_SET request: `i64 utcMilliseconds, i16 zoneOffsetMinutes`. The device sets its clock
/// and replies OK (empty) or TIME_SET_FAILED.
public struct ClockSetRequest: RequestMessage, DeviceTimeMessage {
    public static let opcode = Opcode.clockSet
    public var time: DeviceTime

    public init(time: DeviceTime) { self.time = time }
}

/// CLOCK_SET reply: empty.
public struct ClockSetReply: ReplyMessage {
    public static let opcode = Opcode.clockSet
    public init() {}
    public init(payload: [UInt8]) throws(MessageError) { try Self.reader(payload).finish() }
    public func encode(into w: inout ByteWriter) {}
}
