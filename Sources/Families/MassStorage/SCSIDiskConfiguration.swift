/// How a `SCSIDisk` opens and reads: how long it waits for a unit to become ready, how many
/// UNIT ATTENTIONs and reset recoveries it rides out, and how large a read command may be.
public struct SCSIDiskConfiguration: Sendable {
    /// The logical unit to read.
    public var lun: UInt8 = 0
    /// Bytes one READ command may ask for; reads of more are split. At least one block, at
    /// most 16 MiB (a bound on memory per command); default 1 MiB, since BOT has one command
    /// in flight and each costs a round trip.
    public var maxTransferBytes = 1 << 20
    /// TEST UNIT READY polls while the unit says "becoming ready" (NOT READY 04/01), and the
    /// wait between them: 120 × 250 ms is 30 s.
    public var readyPolls = 120
    public var readyPollInterval: Duration = .milliseconds(250)
    /// UNIT ATTENTIONs ridden out per command (a freshly attached unit reports power-on 29/00
    /// and medium change 28/00 once each).
    public var unitAttentionRetries = 4
    /// Times a command is sent again after a failure that reset recovery repaired (every
    /// command sent is a read, so sending it again changes nothing on the device).
    public var retriesAfterResetRecovery = 1
    /// How the disk waits between polls; tests pass one that returns at once.
    public var sleep: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }

    public init() {}

    /// The largest accepted `maxTransferBytes`.
    public static let maxTransferLimit = 16 << 20
}
