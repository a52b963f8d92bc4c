import Settings
import Testing

/// `status-listen` / `--status-listen`: numeric addresses and a port, or none; names are refused.
@Suite struct StatusListenTests {
    @Test func theFormsThatAreTaken() {
        #expect(StatusListen("127.0.0.1:8470") == .at(host: "127.0.0.1", port: 8470))
        #expect(StatusListen("0.0.0.0:0") == .at(host: "0.0.0.0", port: 0))
        #expect(StatusListen("localhost:80") == .at(host: "127.0.0.1", port: 80))
        #expect(StatusListen("[::1]:8470") == .at(host: "::1", port: 8470))
        #expect(StatusListen("[fe80::1%eth0]:1") == nil)
        #expect(StatusListen("none") == .off)
        #expect(StatusListen("[::1]:8470")?.description == "[::1]:8470" && StatusListen.serviceDefault.description == "127.0.0.1:8470")
    }

    @Test func whatIsRefused() {
        for text in ["", "8470", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:٨٠",
                     "kiosk.local:8470", "::1:8470", "[::1]8470", "[::1]:", "256.0.0.1:80", "127.0.0.1:00000080"] {
            #expect(StatusListen(text) == nil, "\(text)")
        }
    }

    @Test func theConfigurationKeyNamesItsLine() throws {
        #expect(try GatewayConfig(text: "status-listen = [::1]:9000\n", file: "x").statusListen == .at(host: "::1", port: 9000))
        #expect(try GatewayConfig(text: "", file: "x").statusListen == nil)
        #expect { try GatewayConfig(text: "store = /s\nstatus-listen = kiosk:80\n", file: "gw.conf") } throws: { error in
            "\(error)".hasPrefix("gw.conf:2: status-listen: \"kiosk:80\" is not ADDRESS:PORT")
        }
    }
}

/// `store-high-watermark`, `store-critical-watermark`: percentages, the critical one above.
@Suite struct StoreWatermarkSettingTests {
    @Test func percentagesAreTakenAndTheOrderIsChecked() throws {
        let c = try GatewayConfig(text: "store-high-watermark = 80%\nstore-critical-watermark = 92.5%\n", file: "x")
        #expect(c.storeWatermarks == StoreWatermarks(high: 0.80, critical: 0.925))
        #expect(try GatewayConfig(text: "", file: "x").storeWatermarks == .defaults)
        for bad in ["0%", "100%", "85", "85.55%", "%", "8 5%", "85%%", "-5%", "1e1%", "99.95%"] {
            #expect(StoreWatermarks.parsePercent(bad) == nil, "\(bad)")
        }
        #expect { try GatewayConfig(text: "store-high-watermark = 96%\n", file: "gw.conf") } throws: { error in
            "\(error)" == "gw.conf:1: store-high-watermark: the critical watermark (95%) must be above the high one (96%)"
        }
        #expect { try GatewayConfig(text: "store = /s\nstore-critical-watermark = 50%\n", file: "gw.conf") } throws: { error in
            "\(error)" == "gw.conf:2: store-critical-watermark: the critical watermark (50%) must be above the high one (85%)"
        }
    }
}
