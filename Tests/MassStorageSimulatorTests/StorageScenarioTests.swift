import Foundation
import RecorderHAL
import TestSupport
import Testing
@testable import RecorderSimulator

@Suite struct StorageScenarioTests {
    private func parse(_ recorder: String, in dir: URL) throws(ScenarioError) -> Scenario {
        try Scenario(json: Data(#"{"schema": 1, "recorders": [\#(recorder)]}"#.utf8), relativeTo: dir.path)
    }

    @Test func aFullStorageRecorderParses() throws {
        try withTemporaryDirectory("ms-scn") { dir in
            _ = try randomImage(in: dir, name: "cam.img", blocks: 64)
            _ = try randomImage(in: dir, name: "cam2.img", blocks: 64, seed: 2)
            let text = #"""
            {"schema": 1, "recorders": [
              {"identity": {"serial": "P000001", "officerNumber": "010203"}, "link": "usb2", "port": "1-1.2",
               "storage": {"image": "cam.img", "blockSize": 512, "writeProtected": false,
                           "inquiry": {"vendor": "AMBA", "product": "DSJ-A8", "revision": "3.1"},
                           "faults": [
                             {"kind": "stall", "phase": "data", "read": 5}, {"kind": "stall", "phase": "status", "command": 9},
                             {"kind": "disconnect", "afterBytes": "1MiB"}, {"kind": "disconnect", "command": 40},
                             {"kind": "mediumError", "firstBlock": 100}, {"kind": "wrongTag", "command": 2},
                             {"kind": "wrongResidue", "command": 3, "residue": 0}, {"kind": "phaseError", "command": 4},
                             {"kind": "notReady", "testUnitReadys": 2},
                             {"kind": "volumeChanged", "afterReads": 10, "image": "cam2.img"}]}},
              {"identity": {"serial": "P000002"}, "password": "pw", "link": "unlimited", "recordings": []}
            ]}
            """#
            try text.write(to: dir.appendingPathComponent("s.json"), atomically: true, encoding: .utf8)
            // Read from another working directory: the image is found next to the scenario.
            let s = try Scenario(contentsOf: dir.appendingPathComponent("s.json").path)
            let storage = try #require(s.recorders[0].storage)
            #expect(storage.imagePath == dir.appendingPathComponent("cam.img").path)
            #expect(storage.vendor == "AMBA" && storage.product == "DSJ-A8" && storage.revision == "3.1")
            #expect(!storage.writeProtected && storage.blockSize == 512)
            #expect(storage.faults == [.stallData(read: 5), .stallStatus(command: 9), .disconnectAfterBytes(1 << 20),
                                       .disconnectAtCommand(40), .mediumError(firstBlock: 100, blocks: 1), .wrongTag(command: 2),
                                       .wrongResidue(command: 3, residue: 0), .phaseError(command: 4), .notReady(testUnitReadys: 2),
                                       .volumeChanged(after: .reads(10), to: .image(dir.appendingPathComponent("cam2.img").path))])
            #expect(s.recorders[0].password == "" && s.recorders[0].recordings.isEmpty)
            #expect(s.recorders[1].storage == nil)
            // The description names the storage; a protocol-v1 recorder is unchanged.
            let described = String(decoding: ScenarioDescription(s).json(), as: UTF8.self)
            #expect(described.contains("\"vendor\" : \"AMBA\""))
            #expect(try SimulatedMassStorage(s.recorders[1], name: "x") == nil)
            let ms = try #require(try SimulatedMassStorage(s.recorders[0], name: "bay"))
            #expect(ms.model == .usb2HighSpeed)
            #expect(ms.hostEnd.capacityBytesPerSecond == LinkModel.usb2HighSpeed.bulkOnlyCapacity(readBytes: 1 << 20))
        }
    }

    /// A storage recorder presents the device database's test mass-storage ids unless its `usb`
    /// says otherwise; a protocol-v1 recorder keeps the simulator's 1209:0001.
    @Test func storageRecordersDefaultToTheTestMassStorageIds() throws {
        try withTemporaryDirectory("ms-ids") { dir in
            _ = try randomImage(in: dir, blocks: 8)
            let s = try parse(#"""
                {"identity": {"serial": "P000001"}, "storage": {"image": "disk.img"}},
                {"identity": {"serial": "P000002"}, "usb": {"productId": "00a7"}, "storage": {"image": "disk.img"}},
                {"identity": {"serial": "P000003"}, "usb": {"vendorId": "abcd"}, "storage": {"image": "disk.img"}},
                {"identity": {"serial": "P000004"}, "password": "pw", "recordings": []}
                """#, in: dir)
            #expect(s.recorders.map { [$0.vendorId, $0.productId] } == [[0x1209, 0x0002], [0x1209, 0x00A7], [0xABCD, 0x0002], [0x1209, 0x0001]])
            #expect(RecorderScenario.massStorageProductId == 0x0002)
            // The USB serial string is the scenario's serial.
            #expect(s.recorders[0].storage?.serialNumber == "P000001" && s.recorders[1].storage?.serialNumber == "P000002")
            #expect(try SimulatedMassStorage(s.recorders[0], name: "x")?.hostEnd.serialNumber == "P000001")
        }
    }

    /// Each wrong field is refused with its path.
    @Test(arguments: [
        (#"{"image": "missing.img"}"#, "recorders[0].storage.image"),
        (#"{"image": "odd.img"}"#, "recorders[0].storage.image"),
        (#"{"image": "disk.img", "blockSize": 1024}"#, "recorders[0].storage.blockSize"),
        (#"{"image": "disk.img", "blockSize": 4096}"#, "recorders[0].storage.image"),
        (#"{}"#, "recorders[0].storage.image"),
        (#"{"image": "disk.img", "size": 4}"#, "recorders[0].storage.size"),
        (#"{"image": "disk.img", "inquiry": {"vendor": "TOO LONG VENDOR"}}"#, "recorders[0].storage.inquiry.vendor"),
        (#"{"image": "disk.img", "inquiry": {"product": "相机"}}"#, "recorders[0].storage.inquiry.product"),
        (#"{"image": "disk.img", "writeProtected": 1}"#, "recorders[0].storage.writeProtected"),
        (#"{"image": "disk.img", "faults": [{"kind": "explode"}]}"#, "recorders[0].storage.faults[0].kind"),
        (#"{"image": "disk.img", "faults": [{"kind": "stall", "read": 1}]}"#, "recorders[0].storage.faults[0].phase"),
        (#"{"image": "disk.img", "faults": [{"kind": "stall", "phase": "data", "command": 1}]}"#, "recorders[0].storage.faults[0].command"),
        (#"{"image": "disk.img", "faults": [{"kind": "stall", "phase": "data", "read": 0}]}"#, "recorders[0].storage.faults[0].read"),
        (#"{"image": "disk.img", "faults": [{"kind": "disconnect", "afterBytes": 1, "command": 2}]}"#, "recorders[0].storage.faults[0]"),
        (#"{"image": "disk.img", "faults": [{"kind": "mediumError", "blocks": 2}]}"#, "recorders[0].storage.faults[0].firstBlock"),
        (#"{"image": "disk.img", "faults": [{"kind": "mediumError", "firstBlock": 1, "blocks": 0}]}"#, "recorders[0].storage.faults[0].blocks"),
        (#"{"image": "disk.img", "faults": [{"kind": "wrongResidue", "command": 1, "residue": -1}]}"#, "recorders[0].storage.faults[0].residue"),
        (#"{"image": "disk.img", "faults": [{"kind": "notReady", "testUnitReadys": 0}]}"#, "recorders[0].storage.faults[0].testUnitReadys"),
        (#"{"image": "disk.img", "faults": [{"kind": "volumeChanged", "image": "disk.img"}]}"#, "recorders[0].storage.faults[0]"),
        (#"{"image": "disk.img", "faults": [{"kind": "volumeChanged", "afterReads": 1}]}"#, "recorders[0].storage.faults[0]"),
        (#"{"image": "disk.img", "faults": [{"kind": "volumeChanged", "afterReads": 1, "changes": [{"offset": 33279, "hex": "0102"}]}]}"#,
         "recorders[0].storage.faults[0].changes[0].offset"),
        (#"{"image": "disk.img", "faults": [{"kind": "volumeChanged", "afterReads": 1, "changes": [{"offset": 0, "hex": "0g"}]}]}"#,
         "recorders[0].storage.faults[0].changes[0].hex"),
        (#"{"image": "disk.img", "faults": [{"kind": "volumeChanged", "afterReads": 1, "image": "nope.img"}]}"#,
         "recorders[0].storage.faults[0].image"),
        (#"{"image": "disk.img", "faults": [{"kind": "notReady"}, {"kind": "notReady", "testUnitReadys": 2}]}"#,
         "recorders[0].storage.faults[1]"),
    ])
    func aWrongStorageFieldIsNamed(storage: String, path: String) throws {
        try withTemporaryDirectory("ms-bad") { dir in
            _ = try randomImage(in: dir, blocks: 65) // 33280 bytes: not whole 4096-byte blocks
            try Data(count: 1000).write(to: dir.appendingPathComponent("odd.img"))
            do {
                _ = try parse(#"{"identity": {"serial": "B000001"}, "storage": \#(storage)}"#, in: dir)
                Issue.record("accepted \(storage)")
            } catch let error as ScenarioError {
                #expect(error.path == path, "\(error)")
            }
        }
    }

    @Test func aStorageRecorderHasNoRecordingsOrProtocolFaults() throws {
        try withTemporaryDirectory("ms-mix") { dir in
            _ = try randomImage(in: dir, blocks: 8)
            for (extra, path) in [(#""recordings": [{"kind": "video", "path": "A", "size": 1}]"#, "recorders[0].recordings"),
                                  (#""faults": [{"kind": "catalogNeverEnds"}]"#, "recorders[0].faults")] {
                do {
                    _ = try parse(#"{"identity": {"serial": "B000001"}, "storage": {"image": "disk.img"}, \#(extra)}"#, in: dir)
                    Issue.record("accepted \(extra)")
                } catch let error as ScenarioError {
                    #expect(error.path == path, "\(error)")
                }
            }
            // Without storage, a recorder still needs its password and recordings.
            do {
                _ = try parse(#"{"identity": {"serial": "B000001"}, "recordings": []}"#, in: dir)
                Issue.record("accepted a protocol-v1 recorder without a password")
            } catch let error as ScenarioError {
                #expect(error.path == "recorders[0].password")
            }
        }
    }
}
