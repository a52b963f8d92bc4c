/// Knobs of protocol v1 alone, beside the `DriverOptions` every driver honours.
public struct ProtocolV1Options: Sendable {
    /// Largest payload the host accepts (HELLO maxPayload); the device may choose less.
    public var maxPayload: Int = 4 * 1024 * 1024 + 4096
    /// Entries asked for per CATALOG page.
    public var catalogPageEntries: UInt16 = 256

    public init() {}
}
