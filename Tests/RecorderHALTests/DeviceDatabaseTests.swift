import Foundation
import RecorderFamilies
import RecorderHAL
import Testing

@Suite struct DeviceDatabaseTests {
    static let repoFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/RecorderHAL/recorders.json").path

    @Test func theRepositoryDatabaseLoadsAndKnowsTheSimulator() throws {
        let db = try DeviceDatabase.load(path: Self.repoFile, registry: .builtIn)
        let model = try #require(db.model(vendorId: 0x1209, productId: 0x0001, interfaceClass: 0xFF))
        #expect(model.driver == "zfy-bulk-v1")
        #expect(model.usbId == "1209:0001")
        #expect(db.model(vendorId: 0x1209, productId: 0x0001, interfaceClass: 0x08) == nil)
        #expect(DriverRegistry.builtIn.driver(named: model.driver) != nil)
    }

    /// The simulator's and the umockdev harness's mass-storage recorder is found by its ids and
    /// the mass-storage interface class, and only by that class.
    @Test func theRepositoryDatabaseKnowsTheTestMassStorageRecorder() throws {
        let db = try DeviceDatabase.load(path: Self.repoFile, registry: .builtIn)
        let model = try #require(db.model(vendorId: 0x1209, productId: 0x0002, interfaceClass: 0x08))
        #expect(model.driver == "usb-mass-storage")
        #expect(DriverRegistry.builtIn.driver(named: model.driver)?.linkShape == .transfers)
        #expect(db.model(vendorId: 0x1209, productId: 0x0002, interfaceClass: 0xFF) == nil)
    }

    /// Both Ambarella families are known by 4255:0001; the interface's bulk endpoints tell them
    /// apart, and without them the database gives neither.
    @Test func theAmbarellaFamiliesAreToldApartByTheirBulkEndpoints() throws {
        let db = try DeviceDatabase.load(path: Self.repoFile, registry: .builtIn)
        #expect(db.models(vendorId: 0x4255, productId: 0x0001).map(\.driver).sorted() == ["amba-ascii", "amba-ctrl"])
        let ascii = try #require(db.model(vendorId: 0x4255, productId: 0x0001, interfaceClass: 0xFF, bulkEndpoints: [0x01, 0x81]))
        #expect(ascii.driver == "amba-ascii")
        let ctrl = try #require(db.model(vendorId: 0x4255, productId: 0x0001, interfaceClass: 0xFF, bulkEndpoints: []))
        #expect(ctrl.driver == "amba-ctrl")
        #expect(db.model(vendorId: 0x4255, productId: 0x0001, interfaceClass: 0xFF, bulkEndpoints: [0x02, 0x81]) == nil)
        #expect(db.model(vendorId: 0x4255, productId: 0x0001, interfaceClass: 0xFF, bulkEndpoints: [0x01]) == nil)
        #expect(db.model(vendorId: 0x4255, productId: 0x0001, interfaceClass: 0xFF) == nil)
        #expect(db.model(vendorId: 0x4255, productId: 0x0001) == nil)
        // Both are storage switches, not readers.
        for name in ["amba-ascii", "amba-ctrl"] {
            #expect(DriverRegistry.builtIn.storageSwitch(named: name)?.name == name)
            #expect(DriverRegistry.builtIn.driver(named: name) == nil)
        }
    }

    @Test func theBuiltCopyIsFoundWithoutAPath() throws {
        // SwiftPM puts the resource bundle next to the test binary as it does next to a program.
        let db = try DeviceDatabase.load(registry: .builtIn)
        #expect(!db.models.isEmpty)
    }

    static let bad: [(String, String)] = [
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "12", "productId": "0001", "interfaceClass": 255, "driver": "zfy-bulk-v1"}]}"#, "models[0].vendorId"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0001", "interfaceClass": 256, "driver": "zfy-bulk-v1"}]}"#, "models[0].interfaceClass"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0001", "interfaceClass": 255, "driver": "mtp"}]}"#, "models[0].driver"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0001", "interfaceClass": 255, "driver": "zfy-bulk-v1", "speed": 2}]}"#, "models[0].speed"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0001", "interfaceClass": 255, "driver": "zfy-bulk-v1"}, {"name": "y", "vendorId": "1209", "productId": "0001", "interfaceClass": 255, "driver": "zfy-bulk-v1"}]}"#, "models[1].productId"),
        (#"{"schema": 2, "models": []}"#, "schema"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ctrl", "bulkEndpoints": []}, {"name": "y", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ascii"}]}"#, "models[1].productId"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ctrl", "bulkEndpoints": ["01"]}, {"name": "y", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ascii", "bulkEndpoints": ["01"]}]}"#, "models[1].productId"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ascii", "bulkEndpoints": ["1"]}]}"#, "models[0].bulkEndpoints"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ascii", "bulkEndpoints": ["80"]}]}"#, "models[0].bulkEndpoints"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ascii", "bulkEndpoints": ["01", "01"]}]}"#, "models[0].bulkEndpoints"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ascii", "bulkEndpoints": "01"}]}"#, "models[0].bulkEndpoints"),
        (#"[1]"#, "(file)"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0002", "interfaceClass": 8, "driver": "usb-mass-storage", "driverOptions": {"shortNameCodePage": "cp850"}}]}"#, "models[0].driverOptions.shortNameCodePage"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0002", "interfaceClass": 8, "driver": "usb-mass-storage", "driverOptions": {"codePage": "cp936"}}]}"#, "models[0].driverOptions.codePage"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0002", "interfaceClass": 8, "driver": "usb-mass-storage", "driverOptions": {"shortNameCodePage": 936}}]}"#, "models[0].driverOptions"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0001", "interfaceClass": 255, "driver": "zfy-bulk-v1", "driverOptions": {"shortNameCodePage": "cp936"}}]}"#, "models[0].driverOptions.shortNameCodePage"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ascii", "bulkEndpoints": ["01", "81"], "driverOptions": {"shortNameCodePage": "cp936"}}]}"#, "models[0].driverOptions"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0003", "interfaceClass": 8, "driver": "usb-mass-storage", "readAfterUnlockOnly": "yes"}]}"#, "models[0].readAfterUnlockOnly"),
        (#"{"schema": 1, "models": [{"name": "x", "vendorId": "4255", "productId": "0001", "interfaceClass": 255, "driver": "amba-ctrl", "readAfterUnlockOnly": true}]}"#, "models[0].readAfterUnlockOnly"),
    ]

    /// The vendor recorders' test disk (what the simulator's and the harness's amba families
    /// become) is read only after an unlock; the plain test disk is read when docked.
    @Test func theVendorTestDiskIsReadAfterAnUnlockOnly() throws {
        let db = try DeviceDatabase.load(path: Self.repoFile, registry: .builtIn)
        let disk = try #require(db.model(vendorId: 0x1209, productId: 0x0003, interfaceClass: 8))
        #expect(disk.readAfterUnlockOnly)
        #expect(disk.driver == "usb-mass-storage")
        #expect(try #require(db.model(vendorId: 0x1209, productId: 0x0002, interfaceClass: 8)).readAfterUnlockOnly == false)
        let json = #"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0003", "interfaceClass": 8, "driver": "usb-mass-storage", "readAfterUnlockOnly": false}]}"#
        #expect(try DeviceDatabase(json: Data(json.utf8), registry: .builtIn).models[0].readAfterUnlockOnly == false)
    }

    /// A model's driver settings reach its driver: a card model whose 8.3 names are GBK.
    @Test func aModelsDriverOptionsReachItsDriver() throws {
        let json = #"{"schema": 1, "models": [{"name": "x", "vendorId": "1209", "productId": "0002", "interfaceClass": 8, "driver": "usb-mass-storage", "driverOptions": {"shortNameCodePage": "cp936"}}]}"#
        let db = try DeviceDatabase(json: Data(json.utf8), registry: .builtIn)
        let model = try #require(db.model(vendorId: 0x1209, productId: 0x0002, interfaceClass: 8))
        #expect(model.driverOptions == ["shortNameCodePage": "cp936"])
        let driver = try #require(DriverRegistry.builtIn.driver(for: model))
        #expect(String(describing: driver).contains("cp936"))
    }

    @Test(arguments: bad.indices)
    func aBadEntryNamesItsField(index: Int) {
        let (json, field) = Self.bad[index]
        #expect { _ = try DeviceDatabase(json: Data(json.utf8), registry: .builtIn) } throws: { ($0 as? DeviceDatabaseError)?.field == field }
    }
}
