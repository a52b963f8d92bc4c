import Foundation

/// Everything a simulated mass-storage device received that could change it: every command
/// block of a valid CBW (whatever its opcode, executed or refused), every wrapper it refused
/// as invalid, every control request. The write-blocker tests read it to assert that nothing
/// outside the allow-list ever arrived over a whole dock.
///
/// Guarantees: entries are in arrival order; an entry is appended before the command has any
/// effect, so a command that makes the device vanish is still logged.
public final class CommandLog: @unchecked Sendable {
    /// One command block as it arrived.
    public struct Entry: Hashable, Sendable {
        /// 1 for the first CBW since the device was docked.
        public var number: Int
        /// The first byte of the CDB.
        public var opcode: UInt8
        /// The whole CDB, bCBWCBLength bytes.
        public var commandBlock: [UInt8]
        public var tag: UInt32
        public var dataTransferLength: UInt32
        public var dataIn: Bool
        /// Time since the device was docked.
        public var time: Duration
    }

    /// One control transfer as it arrived on the default pipe.
    public struct ControlRequest: Hashable, Sendable {
        public var requestType: UInt8
        public var request: UInt8
        public var value: UInt16
        public var index: UInt16
        public var length: Int
        public var time: Duration
    }

    // Guarded by `lock`: the device appends from its actor while tests and reports read.
    private let lock = NSLock()
    private var commands: [Entry] = []
    private var rejected: [[UInt8]] = []
    private var controls: [ControlRequest] = []
    private let start = ContinuousClock.now

    public init() {}

    /// Every command block received, in order.
    public var entries: [Entry] { lock.withLock { commands } }
    /// The raw bytes of every bulk OUT transfer refused as an invalid or not meaningful CBW.
    public var rejectedWrappers: [[UInt8]] { lock.withLock { rejected } }
    /// Every control request received, in order.
    public var controlRequests: [ControlRequest] { lock.withLock { controls } }

    /// The opcodes received that are not on `allowed`, in order (empty: the blocker held).
    public func opcodes(notIn allowed: Set<UInt8>) -> [UInt8] {
        entries.map(\.opcode).filter { !allowed.contains($0) }
    }

    func append(commandBlock: [UInt8], tag: UInt32, dataTransferLength: UInt32, dataIn: Bool) -> Int {
        lock.withLock {
            let number = commands.count + 1
            commands.append(Entry(number: number, opcode: commandBlock.first ?? 0, commandBlock: commandBlock, tag: tag,
                                  dataTransferLength: dataTransferLength, dataIn: dataIn, time: ContinuousClock.now - start))
            return number
        }
    }

    func appendRejected(_ bytes: [UInt8]) {
        lock.withLock { rejected.append(bytes) }
    }

    func appendControl(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: Int) {
        lock.withLock {
            controls.append(ControlRequest(requestType: requestType, request: request, value: value, index: index,
                                           length: length, time: ContinuousClock.now - start))
        }
    }
}
