/// How one command ended when its status wrapper was valid and meaningful: passed or failed
/// (CHECK CONDITION, for which the caller asks REQUEST SENSE), with its data.
public struct CommandOutcome: Hashable, Sendable {
    /// bCSWStatus 0 (passed) or 1 (failed).
    public var passed: Bool
    /// The data phase's bytes the device counts as data: what arrived, cut to the command's
    /// length minus the residue, since a device may pad a short reply (BOT §6.7.2 case 5).
    public var data: [UInt8]
    /// Bytes that arrived in the data phase (before any cut).
    public var received: Int
    /// dCSWDataResidue, checked to be at most the command's data length.
    public var residue: UInt32
    /// The device ended the data phase with a STALL (cleared before the status was read).
    public var dataPhaseStalled: Bool
}
