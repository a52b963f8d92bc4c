/// What a recorder can do: its family's promises narrowed by what the device announced, so that
/// callers ask these instead of knowing families.
public struct RecorderCapabilities: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Catalog entries carry the device's own SHA-256 of each file.
    public static let deviceHashes = RecorderCapabilities(rawValue: 1 << 0)
    /// `authenticate` must succeed before anything but `identity`.
    public static let authenticationRequired = RecorderCapabilities(rawValue: 1 << 1)
    /// `setClock` is supported.
    public static let clockSet = RecorderCapabilities(rawValue: 1 << 2)
    /// `release` is supported: the device can free storage on the host's word.
    public static let release = RecorderCapabilities(rawValue: 1 << 3)
    /// The catalog lists GPS logs.
    public static let gpsLog = RecorderCapabilities(rawValue: 1 << 4)
    /// The catalog lists a time log.
    public static let timeLog = RecorderCapabilities(rawValue: 1 << 5)
    /// `readClock` reads the device's clock (otherwise it is estimated by the family).
    public static let clockRead = RecorderCapabilities(rawValue: 1 << 6)
}
