/// A recorder that presents itself as a USB mass-storage disk (Bulk-Only Transport, SCSI),
/// serving an image file read-only: the scenario's `"storage"` object (Docs/simulator.md §11).
public struct MassStorageScenario: Sendable, Hashable {
    /// The image file, resolved against the scenario file's directory.
    public var imagePath: String
    /// Bytes per logical block: 512 or 4096.
    public var blockSize: Int = 512
    /// INQUIRY's T10 vendor identification: at most 8 printable ASCII characters.
    public var vendor: String = "ZFYSIM"
    /// INQUIRY's product identification: at most 16 printable ASCII characters.
    public var product: String = "Body Recorder"
    /// INQUIRY's product revision level: at most 4 printable ASCII characters.
    public var revision: String = "1.00"
    /// Whether MODE SENSE reports the medium write-protected (WP bit). Either way nothing is
    /// ever written: the simulator has no write path.
    public var writeProtected: Bool = true
    /// The USB device's iSerialNumber string, as the host's link reports it; nil: none.
    public var serialNumber: String?
    /// How a data-IN phase that ends before the host's length ends (BOT §6.7.2 case 5).
    public var shortDataPhase: ShortDataPhase = .shortPacket
    public var faults: [MassStorageFault] = []

    public init(imagePath: String) { self.imagePath = imagePath }
}

/// How a device ends a data-IN phase with fewer bytes than the host asked for (Hi > Di). BOT
/// 1.0 §6.7.2 allows both; real devices do both (many halt), so the host must take either.
public enum ShortDataPhase: String, Sendable, Hashable, CaseIterable {
    /// A short packet (or a zero-length one when the data filled its last packet) ends the
    /// phase; the CSW follows.
    case shortPacket
    /// The data is sent, then bulk IN halts; after the host clears the halt, the CSW follows.
    case stall
}

/// A mass-storage misbehaviour to inject. Commands are counted from 1 over the life of the
/// docked device: every valid CBW is a command; READ(10) and READ(16) are also counted as
/// reads. A fault that names a command or a read fires once.
public enum MassStorageFault: Sendable, Hashable {
    /// The bulk IN pipe halts where the data of the `read`th READ would be; after the host
    /// clears the halt, the CSW says failed (residue: everything) with sense ABORTED COMMAND.
    case stallData(read: Int)
    /// The bulk IN pipe halts where the CSW of the `command`th command would be (after its
    /// data); after the host clears the halt, the CSW follows unchanged.
    case stallStatus(command: Int)
    /// The device is unplugged when its data phases have sent more than `afterBytes` bytes
    /// in total: the transfer that would cross the line is lost.
    case disconnectAfterBytes(UInt64)
    /// The device is unplugged as the CBW of the `command`th command arrives (it is logged).
    case disconnectAtCommand(Int)
    /// Every READ touching blocks `firstBlock ..< firstBlock + blocks` sends the blocks before
    /// the first bad one, then fails with MEDIUM ERROR 03/11/00 naming that block.
    case mediumError(firstBlock: UInt64, blocks: UInt64)
    /// The CSW of the `command`th command carries the complement of the command's tag.
    case wrongTag(command: Int)
    /// The CSW of the `command`th command carries `residue` (nil: the CBW's transfer length
    /// plus one, a residue no command can have).
    case wrongResidue(command: Int, residue: UInt32?)
    /// The CSW of the `command`th command says phase error (after its data phase).
    case phaseError(command: Int)
    /// The unit answers NOT READY 02/04/01 to TEST UNIT READY, READ CAPACITY, MODE SENSE and
    /// READ: for ever (nil), or until it has refused this many TEST UNIT READYs.
    case notReady(testUnitReadys: Int?)
    /// After `trigger`, every later READ is served from another medium: a volume that changed
    /// between the gateway's first read and its verifying second read.
    case volumeChanged(after: VolumeChangeTrigger, to: VolumeChange)
}

/// When a `volumeChanged` fault switches the medium: at the first READ command after it.
public enum VolumeChangeTrigger: Sendable, Hashable {
    /// After this many READ commands.
    case reads(Int)
    /// After READ data phases have sent this many bytes.
    case bytes(UInt64)
}

/// What a changed volume serves.
public enum VolumeChange: Sendable, Hashable {
    /// Another image file (resolved against the scenario's directory); its size is its own.
    case image(String)
    /// The same image with these bytes replaced.
    case changes([ByteChange])
}
