import Foundation
import GatewayCrypto
import MassStorageProtocol
import RecorderHAL
import TestSupport
import Testing
@testable import RecorderSimulator

/// An image of `blocks` × `blockSize` seeded random bytes in `directory`: the device serves
/// bytes and does not parse them.
func randomImage(in directory: URL, name: String = "disk.img", blocks: Int, blockSize: Int = 512, seed: UInt64 = 1) throws -> URL {
    var generator = SplitMix64(seed: seed)
    var bytes = [UInt8](repeating: 0, count: blocks * blockSize)
    for i in stride(from: 0, to: bytes.count, by: 8) {
        let v = generator.next()
        for j in 0..<8 { bytes[i + j] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(j))) }
    }
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

/// A docked device on an unlimited link, from a `"storage"` object given as JSON text
/// (image paths relative to `directory`).
func dock(_ storageJSON: String, in directory: URL) throws -> SimulatedMassStorage {
    let scenario = try Scenario(json: Data("""
    {"schema": 1, "recorders": [{"identity": {"serial": "M000001"}, "link": "unlimited", "storage": \(storageJSON)}]}
    """.utf8), relativeTo: directory.path)
    return try #require(try SimulatedMassStorage(scenario.recorders[0], name: "test"))
}

/// A test's host side of BOT, with nothing of a host engine: raw CBWs, one transfer at a time.
struct RawHost {
    let link: any USBTransferLink
    var tag: UInt32 = 100

    /// What came back for one command.
    struct Outcome {
        var data: [UInt8]
        /// The data phase ended in a halt that the host then cleared.
        var stalled: Bool
        var csw: CommandStatusWrapper
    }

    /// The CBW for `command`, with its CDB replaced by `cdb` and its length and direction by
    /// `length` and `dataIn` when given: the only way a test sends what the allow-list forbids.
    mutating func wrapper(_ command: SCSICommand, cdb: [UInt8]? = nil, length: UInt32? = nil, dataIn: Bool? = nil) -> CommandBlockWrapper {
        tag += 1
        var cbw = CommandBlockWrapper(tag: tag, lun: 0, command: command)
        if let cdb { cbw.commandBlock = cdb }
        if let length { cbw.dataTransferLength = length }
        if let dataIn { cbw.dataIn = dataIn }
        return cbw
    }

    /// Sends `cbw`, moves its data phase as BOT §5.3 says (clearing a halted pipe), reads the CSW.
    mutating func run(_ cbw: CommandBlockWrapper) async throws -> Outcome {
        try await link.bulkOut(cbw.bytes, timeout: .seconds(5))
        var data: [UInt8] = []
        var stalled = false
        if cbw.dataTransferLength > 0 {
            do {
                if cbw.dataIn {
                    data = try await link.bulkIn(length: Int(cbw.dataTransferLength), timeout: .seconds(5))
                } else {
                    try await link.bulkOut([UInt8](repeating: 0xEE, count: Int(cbw.dataTransferLength)), timeout: .seconds(5))
                }
            } catch .stalled {
                stalled = true
                try await link.clearHalt(cbw.dataIn ? .bulkIn : .bulkOut, timeout: .seconds(5))
            }
        }
        let csw = try await readStatus()
        return Outcome(data: data, stalled: stalled, csw: csw)
    }

    /// Reads a CSW; a halted IN pipe is cleared and the read tried once more (§5.3.3).
    func readStatus() async throws -> CommandStatusWrapper {
        do {
            return try CommandStatusWrapper(parsing: try await link.bulkIn(length: CommandStatusWrapper.size, timeout: .seconds(5)))
        } catch LinkError.stalled {
            try await link.clearHalt(.bulkIn, timeout: .seconds(5))
            return try CommandStatusWrapper(parsing: try await link.bulkIn(length: CommandStatusWrapper.size, timeout: .seconds(5)))
        }
    }

    mutating func run(_ command: SCSICommand) async throws -> Outcome {
        let cbw = wrapper(command)
        return try await run(cbw)
    }

    /// `command`'s wrapper with its CDB, length or direction replaced (see `wrapper`).
    mutating func run(_ command: SCSICommand, cdb: [UInt8]?, length: UInt32? = nil, dataIn: Bool? = nil) async throws -> Outcome {
        let cbw = wrapper(command, cdb: cdb, length: length, dataIn: dataIn)
        return try await run(cbw)
    }

    /// REQUEST SENSE's key/ASC/ASCQ.
    mutating func sense() async throws -> (key: UInt8, code: UInt8, qualifier: UInt8, information: UInt32?) {
        let o = try await run(.requestSense(allocationLength: 18))
        let d = o.data
        let info = d[0] & 0x80 != 0 ? UInt32(d[3]) << 24 | UInt32(d[4]) << 16 | UInt32(d[5]) << 8 | UInt32(d[6]) : nil
        return (d[2] & 0x0F, d[12], d[13], info)
    }

    /// Bulk-Only Mass Storage Reset, then both halts cleared (§5.3.4).
    func resetRecovery() async throws {
        _ = try await link.control(requestType: 0x21, request: 0xFF, value: 0, index: UInt16(link.interfaceNumber),
                                   data: [], length: 0, timeout: .seconds(5))
        try await link.clearHalt(.bulkIn, timeout: .seconds(5))
        try await link.clearHalt(.bulkOut, timeout: .seconds(5))
    }
}

func sha256(ofFile url: URL) throws -> [UInt8] {
    SHA256Hasher.hash([UInt8](try Data(contentsOf: url)))
}

func fileBytes(_ url: URL, _ range: Range<Int>) throws -> [UInt8] {
    Array([UInt8](try Data(contentsOf: url))[range])
}
