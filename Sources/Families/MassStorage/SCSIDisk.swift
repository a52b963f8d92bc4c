import MassStorageProtocol
import RecorderHAL
import Volumes

/// A logical unit of a USB mass-storage device, read-only: opened with the sequence of
/// `open(transport:configuration:)`, then read in blocks (a `Volumes.BlockSource`) or byte
/// extents.
///
/// Guarantees: only the allow-list's commands are sent (through `BulkOnlyTransport`); a read
/// returns exactly the bytes asked for or throws; a read of more than `maxTransferBytes` is
/// split into commands of at most that size, READ(10) wherever the addresses fit in 32 bits and
/// READ(16) beyond; a MEDIUM ERROR is thrown as `.mediumError` naming the blocks asked for.
public struct SCSIDisk: BlockSource {
    public let transport: BulkOnlyTransport
    public let identity: DiskIdentity
    public let configuration: SCSIDiskConfiguration

    public var blockSize: Int { Int(identity.blockLength) }
    public var blockCount: UInt64 { identity.blockCount }
    /// Blocks per READ command.
    public var blocksPerCommand: Int {
        let bytes = min(max(configuration.maxTransferBytes, blockSize), SCSIDiskConfiguration.maxTransferLimit)
        return max(1, min(bytes / blockSize, Int(UInt16.max)))
    }

    init(transport: BulkOnlyTransport, identity: DiskIdentity, configuration: SCSIDiskConfiguration) {
        self.transport = transport
        self.identity = identity
        self.configuration = configuration
    }

    /// `count` blocks from `block`, exactly `count × blockSize` bytes.
    ///
    /// - Throws: `MassStorageError`: `.outOfRange` past the medium, `.mediumError` with the
    ///   blocks of the failing command, `.shortData`, `.mediumChanged`, `.cancelled` when the
    ///   task is cancelled between commands, or the transport's errors.
    public func read(block: UInt64, count: Int) async throws(MassStorageError) -> [UInt8] {
        guard count >= 0, block <= blockCount, UInt64(count) <= blockCount - block else {
            throw MassStorageError(.outOfRange("blocks \(block)+\(count) past the medium's \(blockCount)"))
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: blockSize)
        guard !overflow else {
            throw MassStorageError(.outOfRange("\(count) blocks of \(blockSize) bytes do not fit in memory"))
        }
        var out = [UInt8]()
        if count > blocksPerCommand { out.reserveCapacity(total) }
        var lba = block
        var remaining = UInt64(count)
        while remaining > 0 {
            if Task.isCancelled { throw MassStorageError(.cancelled, context: ["reading blocks \(lba)+\(remaining)"]) }
            let n = min(remaining, UInt64(blocksPerCommand))
            let data = try await readCommand(lba: lba, blocks: n)
            // A read of one command is returned as it came, not copied.
            if remaining == n, out.isEmpty { return data }
            out += data
            lba += n
            remaining -= n
        }
        return out
    }

    /// The `length` bytes at `byteOffset` of the medium, read as whole blocks (split as
    /// `read(block:count:)` splits) and cut to the extent: what a file's cluster run needs.
    /// The caller bounds `length` (the whole extent is held in memory).
    ///
    /// - Throws: as `read(block:count:)`.
    public func read(byteOffset: UInt64, length: Int) async throws(MassStorageError) -> [UInt8] {
        let size = UInt64(blockSize)
        let (end, overflow) = byteOffset.addingReportingOverflow(UInt64(max(length, 0)))
        guard length >= 0, !overflow, end <= identity.byteCount else {
            throw MassStorageError(.outOfRange("bytes \(byteOffset)+\(length) past the medium's \(identity.byteCount)"))
        }
        if length == 0 { return [] }
        let first = byteOffset / size
        let blocks = try await read(block: first, count: Int((end - 1) / size - first + 1))
        let skip = Int(byteOffset - first * size)
        if skip == 0, blocks.count == length { return blocks }
        return Array(blocks[skip..<(skip + length)])
    }

    /// One READ of `blocks` (at most `blocksPerCommand`) from `lba`: READ(10) when every block
    /// is addressable in 32 bits, READ(16) otherwise.
    func readCommand(lba: UInt64, blocks: UInt64) async throws(MassStorageError) -> [UInt8] {
        let command: SCSICommand = lba + blocks - 1 <= UInt64(UInt32.max)
            ? .read10(lba: UInt32(lba), blocks: UInt16(blocks), blockLength: identity.blockLength)
            : .read16(lba: lba, blocks: UInt32(blocks), blockLength: identity.blockLength)
        return try await run(command, reading: lba..<(lba + blocks))
    }

    // MARK: Commands with sense

    /// Runs `command` and returns the data of its passed status: a CHECK CONDITION is asked
    /// its sense; UNIT ATTENTION is ridden out `unitAttentionRetries` times (but 28, medium
    /// changed, once `opened`); a failure repaired by reset recovery is sent again
    /// `retriesAfterResetRecovery` times. When `reading` names blocks, the data must be all of
    /// them, and a MEDIUM ERROR names them.
    func run(_ command: SCSICommand, reading blocks: Range<UInt64>? = nil) async throws(MassStorageError) -> [UInt8] {
        try await Self.run(command, on: transport, configuration: configuration, reading: blocks, opened: true)
    }

    static func run(_ command: SCSICommand, on transport: BulkOnlyTransport, configuration: SCSIDiskConfiguration,
                    reading blocks: Range<UInt64>?, opened: Bool) async throws(MassStorageError) -> [UInt8] {
        var resets = 0
        var attentions = 0
        while true {
            do throws(MassStorageError) {
                let (outcome, senseOutcome) = try await transport.executeWithSense(command, lun: configuration.lun)
                if outcome.passed {
                    if blocks != nil, outcome.data.count != Int(command.dataLength) {
                        throw MassStorageError(.shortData(received: outcome.data.count, expected: Int(command.dataLength)),
                                               context: [command.description])
                    }
                    return outcome.data
                }
                let sense = try parsedSense(senseOutcome).mapError { $0.context("after \(command.description) failed") }.get()
                switch sense?.condition {
                case .noError? where sense?.senseKey == .recoveredError && outcome.residue == 0
                    && outcome.data.count == Int(command.dataLength):
                    // RECOVERED ERROR: the unit completed the command after retrying it itself
                    // (SPC), and every byte asked arrived: the data is good.
                    return outcome.data
                case .mediumError? where blocks != nil:
                    throw MassStorageError(.mediumError(blocks: blocks!, sense: sense!), context: [command.description])
                case .resetOccurred?, .mediumMayHaveChanged?, .unitAttention?:
                    // After opening, a medium change is news the caller must hear: the volume
                    // read so far may not be the one on the device now.
                    if opened, sense?.condition == .mediumMayHaveChanged {
                        throw MassStorageError(.mediumChanged(sense!), context: [command.description])
                    }
                    attentions += 1
                    if attentions > configuration.unitAttentionRetries {
                        throw MassStorageError(.unitAttentionPersisted(sense!, attempts: attentions), context: [command.description])
                    }
                    continue
                default:
                    throw MassStorageError(.commandFailed(sense), context: [command.description])
                }
            } catch {
                if error.recovery == .resetDone, resets < configuration.retriesAfterResetRecovery {
                    resets += 1
                    continue
                }
                throw error
            }
        }
    }

    /// The sense in REQUEST SENSE's outcome, or nil when the device has none to give (REQUEST
    /// SENSE itself failed). As a `Result`, so the caller adds context.
    static func parsedSense(_ outcome: CommandOutcome?) -> Result<SenseData?, MassStorageError> {
        guard let outcome, outcome.passed else { return .success(nil) }
        do throws(SCSIReplyError) {
            return .success(try SenseData(parsing: outcome.data))
        } catch {
            return .failure(MassStorageError(.malformedReply(error)))
        }
    }
}
