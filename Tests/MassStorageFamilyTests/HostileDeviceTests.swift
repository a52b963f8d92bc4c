import Testing
import MassStorageProtocol
import RecorderHAL
import TestSupport
@testable import MassStorageFamily

/// The transport and the disk against a device whose every answer may be damaged: bits flipped,
/// transfers cut short or lengthened, STALLs and timeouts where none belong, class requests
/// refused. Whatever it does, opening and reading end (in a bounded number of transfers) with
/// a result of the size asked or a `MassStorageError`, and every command block sent is on the
/// allow-list.
@Suite struct HostileDeviceTests {
    /// The scripted device behind a link that damages what it returns, seeded.
    actor DamagingLink: USBTransferLink {
        nonisolated let description = "damaging link"
        nonisolated let interfaceNumber: UInt8 = 3
        let device: ScriptedMassStorageDevice
        var random: SplitMix64
        /// Out of 1000 transfers, how many are damaged.
        let perMille: UInt64
        private(set) var transfers = 0
        static let transferLimit = 20_000

        init(device: ScriptedMassStorageDevice, seed: UInt64, perMille: UInt64) {
            self.device = device
            random = SplitMix64(seed: seed)
            self.perMille = perMille
        }

        private func damaged() -> Bool { random.next() % 1000 < perMille }

        private func count() throws(LinkError) {
            transfers += 1
            // A loop that never ends would hang the test: end it as a lost device instead,
            // and let the test see the count.
            if transfers > Self.transferLimit { throw .deviceGone }
        }

        func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
            try count()
            if damaged() { throw random.next() % 2 == 0 ? .stalled(endpoint: 0x02) : .timedOut(direction: .bulkOut, milliseconds: 0) }
            try await device.bulkOut(bytes, timeout: timeout)
        }

        func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
            try count()
            var bytes = try await device.bulkIn(length: length, timeout: timeout)
            guard damaged() else { return bytes }
            switch random.next() % 6 {
            case 0: throw .stalled(endpoint: 0x81)
            case 1: throw .timedOut(direction: .bulkIn, milliseconds: 0)
            case 2: if !bytes.isEmpty { bytes.removeLast(Int(random.next() % UInt64(bytes.count)) + 1) }
            case 3: bytes += (0..<(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            default:
                if !bytes.isEmpty {
                    let i = Int(random.next() % UInt64(bytes.count))
                    bytes[i] ^= UInt8(1) << (random.next() % 8)
                }
            }
            return bytes
        }

        func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                     data: [UInt8], length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
            try count()
            if damaged() { return random.next() % 2 == 0 ? [UInt8(truncatingIfNeeded: random.next())] : [] }
            return try await device.control(requestType: requestType, request: request, value: value, index: index,
                                             data: data, length: length, timeout: timeout)
        }

        func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError) {
            try count()
            if damaged() { throw .stalled(endpoint: 0) }
            try await device.clearHalt(direction, timeout: timeout)
        }

        func close() async {}
    }

    @Test(arguments: 0..<64)
    func damagedAnswersEndInAResultOrATypedError(seed: Int) async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure {
            $0.notReadyPolls = 1
            $0.unitAttentions = [(0x29, 0x00)]
            $0.badBlocks = 5000..<5001
        }
        let link = DamagingLink(device: device, seed: UInt64(seed), perMille: 60)
        var configuration = SCSIDiskConfiguration()
        configuration.readyPolls = 5
        configuration.readyPollInterval = .zero
        configuration.maxTransferBytes = 64 << 10
        var outcomes: [String] = []
        do {
            let disk = try await SCSIDisk.open(BulkOnlyTransport(link: link), configuration: configuration)
            for (offset, length) in [(0, 4096), (1000, 200_000), (2_500_000, 70_000), (123_457, 1)] as [(UInt64, Int)] {
                do {
                    let data = try await disk.read(byteOffset: offset, length: length)
                    #expect(data.count == length)
                    outcomes.append("read")
                } catch {
                    outcomes.append("\(error.reason)")
                }
            }
        } catch {
            outcomes.append("open: \(error.reason)")
        }
        #expect(await link.transfers <= DamagingLink.transferLimit, "seed \(seed): \(outcomes)")
        let allowed = Set(SCSICommand.Opcode.allCases.map(\.rawValue))
        #expect(await device.commandBlocks.allSatisfy { allowed.contains($0[0]) })
    }

    /// The damage is real: across the seeds, some opens fail and some reads succeed (a test of
    /// the test, so the one above cannot pass by never reaching the disk).
    @Test func damageBothBreaksAndSpares() async throws {
        var opened = 0, failed = 0
        for seed in 0..<32 {
            let device = ScriptedMassStorageDevice()
            let link = DamagingLink(device: device, seed: UInt64(seed), perMille: 60)
            var configuration = SCSIDiskConfiguration()
            configuration.readyPollInterval = .zero
            do {
                _ = try await SCSIDisk.open(BulkOnlyTransport(link: link), configuration: configuration)
                opened += 1
            } catch {
                failed += 1
            }
        }
        #expect(opened > 0 && failed > 0, "opened \(opened), failed \(failed)")
    }
}
