import Foundation
import Settings
import Testing

/// The vendor section of the configuration, the password file and the assignment table.
@Suite struct VendorSettingsTests {
    static func file(_ text: String, mode: mode_t) throws -> String {
        let path = NSTemporaryDirectory() + "vendor-" + UUID().uuidString
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    @Test func theKeys() throws {
        let c = try GatewayConfig(text: "vendor-password-file = /etc/rg/vendor.pw\nstorage-return-wait = 2.5\nassignments = /etc/rg/assignments\n", file: "f")
        #expect(c.vendor.passwordFile == "/etc/rg/vendor.pw" && c.vendor.assignmentsFile == "/etc/rg/assignments")
        #expect(c.vendor.returnWait == .milliseconds(2500))
        #expect(GatewayConfig().vendor.returnWait == .seconds(120))
        #expect(throws: ConfigError.self) { try GatewayConfig(text: "storage-return-wait = soon\n", file: "f") }
        #expect(throws: ConfigError.self) { try GatewayConfig(text: "storage-return-wait = -1\n", file: "f") }
        #expect(throws: ConfigError.self) { try GatewayConfig(text: "storage-return-wait = 0\n", file: "f") }
        #expect(GatewayConfig.keys.contains { $0.0 == "storage-return-wait" })
    }

    @Test func aPrivatePasswordFileIsRead() throws {
        #expect(try VendorPasswordFile.read(try Self.file("Kq7x9Zp4\n", mode: 0o600)) == "Kq7x9Zp4")
        #expect(try VendorPasswordFile.read(try Self.file("with space\r\nsecond line\n", mode: 0o400)) == "with space")
    }

    @Test(arguments: [0o640, 0o604, 0o660, 0o644, 0o602] as [mode_t])
    func aFileOthersMayReadIsRefusedNamingTheModeNotThePassword(mode: mode_t) throws {
        let path = try Self.file("Kq7x9Zp4\n", mode: mode)
        do {
            _ = try VendorPasswordFile.read(path)
            Issue.record("mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.description.contains("mode \(String(mode, radix: 8))") && !error.description.contains("Kq7x9Zp4"))
        }
    }

    @Test func emptyMissingAndLinkedFilesAreRefused() throws {
        #expect(throws: ConfigError.self) { try VendorPasswordFile.read(try Self.file("\n", mode: 0o600)) }
        #expect(throws: ConfigError.self) { try VendorPasswordFile.read("/nonexistent/vendor.pw") }
        let target = try Self.file("Kq7x9Zp4\n", mode: 0o600)
        let link = target + ".link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: ConfigError.self) { try VendorPasswordFile.read(link) }
        #expect(throws: ConfigError.self) { try VendorPasswordFile.read(try Self.file(String(repeating: "x", count: 5000), mode: 0o600)) }
    }

    @Test func theAssignmentTable() throws {
        let t = try AssignmentTable(text: """
        # comment
        A1B2C3D  = 012345, 110101000000, 张三, 某某派出所

        CAM-0042 = 054321, 110102000000
        """, file: "assignments")
        #expect(t.entries.count == 2)
        #expect(t.lookup(["A1B2C3D"])?.assignment.officerName == "张三")
        #expect(t.lookup(["NOPE", "CAM-0042"])?.key == "CAM-0042")
        #expect(t.lookup(["CAM-0042"])?.assignment.unitName == "")
        #expect(t.lookup(["", "NOPE"]) == nil)
    }

    @Test(arguments: [
        "A1B2C3D 012345, 1101",             // no =
        "A/B = 012345, 1101",               // a key with /
        "A = 012345",                       // no unit
        "A = 01 23, 1101",                  // a space in the officer number
        "A = 1, 2, 3, 4, 5",                // too many fields
        "A = 1, 2\nA = 3, 4",               // twice
    ])
    func aWrongLineIsRefusedWithItsNumber(text: String) throws {
        do {
            _ = try AssignmentTable(text: text, file: "assignments")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.file == "assignments" && error.line >= 1)
        }
    }
}
