import Settings
import Testing

/// `forward-rate-limit`: a rate in bytes or bits a second, parsed strictly.
@Suite struct ForwardRateTests {
    @Test(arguments: [("2MiB/s", Int64(2 << 20)), ("16Mbit/s", 2_000_000), ("1.5 MB/s", 1_500_000), ("64KiB/s", 65_536),
                      ("100Gbit/s", 12_500_000_000), ("0.125GB/s", 125_000_000), ("524288B/s", 524_288), ("1000kbit/s", 125_000)])
    func ratesParse(_ text: String, _ bytes: Int64) throws {
        #expect(try ForwardRate.parse(text) == bytes)
        #expect(try GatewayConfig(text: "forward = s3://b/p\nforward-rate-limit = \(text)\n", file: "x").forward?.rateLimit == bytes)
    }

    @Test func noneAndTheDefaultAreNoCap() throws {
        #expect(try ForwardRate.parse("none") == nil)
        #expect(try GatewayConfig(text: "forward = s3://b/p\n", file: "x").forward?.rateLimit == nil)
    }

    @Test(arguments: ["2MiB", "2 MiB / s", "fast", "MiB/s", "-2MiB/s", "+2MiB/s", "1e3MB/s", "2.1234MB/s", "2.MB/s", ".5MB/s",
                      "2mib/s", "2 Mbps", "0x10MB/s", "2,5MB/s", "99999999999999MB/s"])
    func notARateIsRefusedNamingTheValue(_ text: String) {
        #expect { _ = try GatewayConfig(text: "forward = s3://b/p\nforward-rate-limit = \(text)\n", file: "gw.conf") } throws: { error in
            let message = "\(error)"
            return message.contains("gw.conf:2") && message.contains("forward-rate-limit") && message.contains("\"\(text)\"")
                && (message.contains("must be a rate like 2MiB/s") || message.contains("outside"))
        }
    }

    @Test(arguments: ["10KiB/s", "65535B/s", "101Gbit/s", "0MB/s"])
    func ratesOutsideTheRangeAreRefusedSayingWhy(_ text: String) {
        #expect(throws: ForwardRate.Problem.self) { _ = try ForwardRate.parse(text) }
        #expect { _ = try GatewayConfig(text: "forward-rate-limit = \(text)\n", file: "gw.conf") } throws: { error in
            "\(error)".contains("outside 64 KiB/s (524.3 kbit/s)...11.6 GiB/s (100 Gbit/s)")
        }
    }

    @Test func ratesAreShownInBytesAndBits() {
        #expect(ForwardRate.text(2 << 20) == "2 MiB/s (16.8 Mbit/s)")
        #expect(ForwardRate.text(2_000_000) == "1.9 MiB/s (16 Mbit/s)")
        #expect(ForwardRate.text(65_536) == "64 KiB/s (524.3 kbit/s)")
    }
}
