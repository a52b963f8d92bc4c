import Foundation
import Settings
import Testing

@Suite struct GatewayConfigTests {
    @Test func aCompleteFileParses() throws {
        let text = """
        # kiosk 3, traffic police
        store = /srv/evidence
        state = /var/lib/recorder-gateway
        gateway-id = kiosk-03
        key = /etc/recorder-gateway/gateway.key
        release = release-after-verified
        password.default = 000000
        password.A100002 = 246810
        bay.1-1.1 = Bay 1
        bay.1-1.2=Bay 2   
        """
        let c = try GatewayConfig(text: text, file: "gw.conf")
        #expect(c.store == "/srv/evidence" && c.state == "/var/lib/recorder-gateway" && c.gatewayId == "kiosk-03")
        #expect(c.resolvedKeyPath == "/etc/recorder-gateway/gateway.key")
        #expect(c.releasePolicy == .releaseAfterVerified)
        #expect(c.password(for: "A100002") == "246810" && c.password(for: "A100001") == "000000")
        #expect(c.bayName(port: "1-1.2") == "Bay 2" && c.bayName(port: "2-1") == "2-1")
    }

    @Test func defaultsAreKeepAndAKeyInTheStateDirectory() throws {
        let c = try GatewayConfig(text: "state = /s\n", file: "x")
        #expect(c.releasePolicy == .keep)
        #expect(c.resolvedKeyPath == "/s/gateway.key")
        #expect(c.password(for: "A100001") == nil)
    }

    static let bad: [(String, Int, String)] = [
        ("store = /a\nstorre = /b", 2, "storre"),
        ("release = sometimes", 1, "release"),
        ("\n\nstore = /a\nstore = /b", 4, "store"),
        ("password.A1 = x", 1, "password.A1"),
        ("bay.usb3 = x", 1, "bay.usb3"),
        ("gateway-id = kiosk 3", 1, "gateway-id"),
        ("store", 1, "store"),
        ("state =", 1, "state"),
    ]

    @Test(arguments: bad.indices)
    func aBadLineIsNamedByLineAndKey(index: Int) {
        let (text, line, key) = Self.bad[index]
        #expect { _ = try GatewayConfig(text: text, file: "gw.conf") } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.line == line && e.key == key && e.description.hasPrefix("gw.conf:\(line): \(key)")
        }
    }
}

@Suite struct ForwardConfigTests {
    @Test func forwardingKeysParse() throws {
        let c = try GatewayConfig(text: """
        forward = s3://evidence/kiosk-03/
        s3-endpoint = https://s3.example.org
        part-size = 16MiB
        uploads-in-flight = 8
        """, file: "gw.conf")
        let f = try #require(c.forward)
        #expect(f.bucket == "evidence" && f.prefix == "kiosk-03" && f.partSize == 16 << 20 && f.uploadsInFlight == 8)
        #expect(try GatewayConfig(text: "forward = s3://b/p\n", file: "x").forward?.uploadsInFlight == 4)
    }

    /// Found by Tools/fuzz gateway-config (reproducer in its corpus, part-size-overflow.conf):
    /// a size whose bytes do not fit in 64 bits trapped on the multiplication.
    @Test(arguments: ["1111111111111111111MB", "9223372036854775807KiB", "-9223372036854775807GB"])
    func aPartSizeTooLargeToCountIsRefused(value: String) {
        #expect { _ = try GatewayConfig(text: "part-size = \(value)\n", file: "gw.conf") } throws: { error in
            (error as? ConfigError)?.key == "part-size" && "\(error)".contains("5MiB...5GiB")
        }
    }

    @Test(arguments: ["0", "33", "four"])
    func aBadUploadsInFlightIsNamed(value: String) {
        #expect { _ = try GatewayConfig(text: "forward = s3://b/p\nuploads-in-flight = \(value)\n", file: "gw.conf") } throws: { error in
            (error as? ConfigError)?.key == "uploads-in-flight" && "\(error)".contains("1...32")
        }
    }
}

@Suite struct VerifySourceConfigTests {
    @Test func verifySourceParsesAndDefaultsToBeforeRelease() throws {
        #expect(try GatewayConfig(text: "store = /a\n", file: "x").verifySource == .beforeRelease)
        #expect(try GatewayConfig(text: "verify-source = always\n", file: "x").verifySource == .always)
        #expect(try GatewayConfig(text: "verify-source = before-release\n", file: "x").verifySource == .beforeRelease)
    }

    /// A value that is not one of the two is refused, naming the key, the value and the choices.
    @Test func aBadVerifySourceIsNamed() {
        #expect { _ = try GatewayConfig(text: "store = /a\nverify-source = sometimes\n", file: "gw.conf") } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.line == 2 && e.key == "verify-source"
                && e.description == "gw.conf:2: verify-source: \"sometimes\" is not always or before-release"
        }
    }
}
