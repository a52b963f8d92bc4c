/// Every wait of the Bulk-Only Transport, explicit. A transfer that does not complete in its
/// time is a transport failure, and (but for the control pipe) ends in reset recovery.
public struct BulkOnlyTiming: Hashable, Sendable {
    /// The 31-byte command wrapper on bulk OUT.
    public var command: Duration = .seconds(5)
    /// Each bulk IN transfer of the data phase (at most `BulkOnlyTransport.Configuration.
    /// maxPieceBytes`): a slow card delivers 1 MiB in well under a second.
    public var dataPiece: Duration = .seconds(20)
    /// The 13-byte status wrapper: the device may work on a command before it answers.
    public var status: Duration = .seconds(20)
    /// A class request on the control pipe (GET MAX LUN, Bulk-Only Mass Storage Reset).
    public var control: Duration = .seconds(5)
    /// Clearing a halted bulk endpoint.
    public var clearHalt: Duration = .seconds(5)

    public init() {}
}
