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
}
