import Foundation
import Settings
import Testing

/// Numbers in a configuration file that no setting can hold: each is refused naming its line,
/// its key and the accepted range, never converted into a trap.
@Suite struct ConfigNumberTests {
    static let bad: [(value: String, key: String, range: String)] = [
        ("part-size = 9999999999999GiB", "part-size", "5MiB...5GiB"),
        ("part-size = 9223372036854775807KiB", "part-size", "5MiB...5GiB"),
        ("part-size = 99999999999999999999", "part-size", "5MiB...5GiB"),
        ("part-size = -64MiB", "part-size", "5MiB...5GiB"),
        ("forward-wait = inf", "forward-wait", "0...86400"),
        ("forward-wait = nan", "forward-wait", "0...86400"),
        ("forward-wait = 1e300", "forward-wait", "0...86400"),
        ("forward-wait = -0.5", "forward-wait", "0...86400"),
        ("retention-days = 99999999999999999999", "retention-days", "1...36500"),
        ("uploads-in-flight = 9.3e15", "uploads-in-flight", "1...32"),
        ("prune-after-days = 36501", "prune-after-days", "0...36500"),
        ("prune-after-days = 1.5", "prune-after-days", "0...36500"),
        ("prune-after-days = +3", "prune-after-days", "0...36500"),
        ("audit-segment-size = 4095", "audit-segment-size", "4KiB...1GiB"),
        ("audit-segment-size = 2GiB", "audit-segment-size", "4KiB...1GiB"),
        ("audit-segment-size = 9999999999999GiB", "audit-segment-size", "4KiB...1GiB"),
    ]

    @Test(arguments: bad.indices)
    func aNumberNoSettingHoldsIsNamedByLineKeyAndRange(index: Int) {
        let (value, key, range) = Self.bad[index]
        #expect { _ = try GatewayConfig(text: "forward = s3://b/p\n\(value)\n", file: "gw.conf") } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.line == 2 && e.key == key && e.description.hasPrefix("gw.conf:2: \(key): ") && e.description.contains(range)
        }
    }

    @Test func sizesAtTheEdgesOfTheRangeAreTaken() throws {
        let low = try GatewayConfig(text: "forward = s3://b/p\npart-size = 5MiB\n", file: "x")
        #expect(low.forward?.partSize == 5 << 20)
        let high = try GatewayConfig(text: "forward = s3://b/p\npart-size = 5368709120\n", file: "x")
        #expect(high.forward?.partSize == 5 << 30)
        #expect(try GatewayConfig(text: "audit-segment-size = 4KiB\n", file: "x").auditSegmentBytes == 4096)
        #expect(try GatewayConfig(text: "audit-segment-size = 1GiB\n", file: "x").auditSegmentBytes == 1 << 30)
        #expect(try GatewayConfig(text: "", file: "x").auditSegmentBytes == 16 << 20)
        #expect(try GatewayConfig(text: "forward = s3://b/p\nprune-after-days = 0\n", file: "x").forward?.pruneAfterDays == 0)
        #expect(try GatewayConfig(text: "forward = s3://b/p\nprune-after-days = keep\n", file: "x").forward?.pruneAfterDays == nil)
    }

    /// forward-wait is seconds with a fraction; the wait the gateway applies keeps it to the
    /// millisecond (it used to drop the fraction where a dock waits for its bag).
    @Test func theForwardWaitKeepsItsFraction() throws {
        let c = try GatewayConfig(text: "forward = s3://b/p\nforward-wait = 0.25\n", file: "x")
        #expect(c.forward?.wait == .milliseconds(250))
        let full = try GatewayConfig(text: "forward = s3://b/p\nforward-wait = 86400\n", file: "x")
        #expect(full.forward?.wait == .seconds(86400))
    }
}

/// Seconds typed by a person (command lines, configuration): a plain number inside the range,
/// or nothing.
@Suite struct SecondsValueTests {
    @Test(arguments: ["inf", "-inf", "nan", "1e300", "9.3e15", "0", "-1", "", "abc", "86400.001"])
    func valuesOutsideTheRangeOrNotNumbersAreRefused(text: String) {
        #expect(SecondsValue.parse(text, in: 0.001...86400) == nil)
    }

    @Test func valuesInsideTheRangeBecomeDurationsToTheMillisecond() {
        #expect(SecondsValue.parse("2.5", in: 0.001...86400) == .milliseconds(2500))
        #expect(SecondsValue.parse("86400", in: 0.001...86400) == .seconds(86400))
        #expect(SecondsValue.parse("0.001", in: 0.001...86400) == .milliseconds(1))
    }
}
