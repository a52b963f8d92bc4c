import Foundation
import Settings
import Testing

/// `forward-hours`: windows of local time when uploads may start, parsed strictly; open or
/// closed at a given instant and zone, and when the next opens (the clock is the test's).
@Suite struct ForwardHoursTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    /// An instant given as local time in `zone`.
    static func at(_ text: String, _ zone: TimeZone = shanghai) -> Date {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.date(from: text)!
    }

    @Test func windowsParseAndPrint() throws {
        let hours = try #require(try ForwardHours.parse("22:00-06:00, 12:00-13:30"))
        #expect(hours.windows == [.init(start: 1320, end: 360), .init(start: 720, end: 810)])
        #expect(hours.description == "22:00-06:00,12:00-13:30")
        #expect(try ForwardHours.parse("always") == nil)
        #expect(try ForwardHours.parse("22:00 - 06:00 ,12:00-13:30") == hours)
        #expect(try ForwardHours.parse("00:00-24:00")?.isOpen(minuteOfDay: 1439) == true)
        #expect(try GatewayConfig(text: "forward = s3://b/p\nforward-hours = 22:00-06:00\n", file: "x").forward?.hours?.description == "22:00-06:00")
        #expect(try GatewayConfig(text: "forward = s3://b/p\n", file: "x").forward?.hours == nil)
    }

    @Test(arguments: [
        ("22:00", "\"22:00\" is not a window HH:MM-HH:MM"),
        ("22:00-06:00;12:00-13:00", "\"22:00-06:00;12:00-13:00\" is not a window"),
        ("22:00-6:00", "\"6:00\" in \"22:00-6:00\" is not a time HH:MM"),
        ("24:00-06:00", "\"24:00\" in \"24:00-06:00\" is not a time"),
        ("22:00-06:60", "\"06:60\""),
        ("22:00-", "\"\" in \"22:00-\" is not a time"),
        ("22:00-06:00,", "\"\" is not a window"),
        ("10:00-10:00", "starts where it ends"),
        ("22h-06h", "\"22h\""),
        ("22:00--06:00", "is not a window"),
        ("２２:00-06:00", "is not a time"),
    ])
    func badHoursAreRefusedNamingThePiece(_ text: String, _ why: String) {
        #expect { _ = try GatewayConfig(text: "forward = s3://b/p\nforward-hours = \(text)\n", file: "gw.conf") } throws: { error in
            "\(error)".contains("gw.conf:2") && "\(error)".contains("forward-hours") && "\(error)".contains(why)
        }
    }

    @Test func openAndClosedAtTheEdges() throws {
        let hours = try #require(try ForwardHours.parse("22:00-06:00,12:00-13:00"))
        #expect(hours.isOpen(minuteOfDay: 22 * 60))
        #expect(hours.isOpen(minuteOfDay: 0))
        #expect(hours.isOpen(minuteOfDay: 5 * 60 + 59))
        #expect(!hours.isOpen(minuteOfDay: 6 * 60))        // the end is not in the window
        #expect(!hours.isOpen(minuteOfDay: 21 * 60 + 59))
        #expect(hours.isOpen(minuteOfDay: 12 * 60 + 30))
        #expect(!hours.isOpen(minuteOfDay: 13 * 60))
    }

    @Test func localTimeDecidesAndTheNextOpeningIsFound() throws {
        let hours = try #require(try ForwardHours.parse("22:00-06:00,12:00-13:00"))
        #expect(hours.isOpen(at: Self.at("2026-12-06 23:15:00"), in: Self.shanghai))
        #expect(!hours.isOpen(at: Self.at("2026-12-06 09:00:00"), in: Self.shanghai))
        // 09:00 in Shanghai is 01:00 UTC: the zone is what counts.
        #expect(hours.isOpen(at: Self.at("2026-12-06 09:00:00"), in: TimeZone(identifier: "UTC")!))
        #expect(hours.nextOpening(after: Self.at("2026-12-06 09:00:00"), in: Self.shanghai) == Self.at("2026-12-06 12:00:00"))
        #expect(hours.nextOpening(after: Self.at("2026-12-06 13:00:00"), in: Self.shanghai) == Self.at("2026-12-06 22:00:00"))
        // Past the last start of the day: tomorrow's first.
        let late = try #require(try ForwardHours.parse("01:00-02:00"))
        #expect(late.nextOpening(after: Self.at("2026-12-06 03:00:00"), in: Self.shanghai) == Self.at("2026-12-07 01:00:00"))
    }

    @Test func aStartTheClocksSkipOpensAtTheNextTimeThatExists() throws {
        // Berlin, 29 March 2026: 02:00 becomes 03:00.
        let hours = try #require(try ForwardHours.parse("02:30-04:00"))
        let opens = try #require(hours.nextOpening(after: Self.at("2026-03-29 01:00:00", Self.berlin), in: Self.berlin))
        #expect(opens == Self.at("2026-03-29 03:00:00", Self.berlin))
        #expect(hours.isOpen(at: opens, in: Self.berlin))
    }
}
