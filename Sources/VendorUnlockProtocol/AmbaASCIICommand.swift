import Calendrical

/// amba-ascii, the vendor unlock of Ambarella-based recorders (USB id 4255:0001) done with
/// ASCII commands on bulk endpoints 0x01 (OUT) and 0x81 (IN), each answered by one reply of at
/// most 64 bytes (`AmbaASCIIReply`).
public enum AmbaASCII {
    /// The family's name, as in the device database and the driver registry.
    public static let family = "amba-ascii"
    /// The bulk OUT endpoint the commands go to.
    public static let bulkOutEndpoint: UInt8 = 0x01
    /// The bulk IN endpoint the replies come from.
    public static let bulkInEndpoint: UInt8 = 0x81
}

/// One amba-ascii command, `@<name>;<length>;<argument>;#`, in ASCII:
/// `@Ver;8;00000000;#` (version, no password), `@Gdv;8;<password>;#` (device id),
/// `@Sdt;8;YYYYMMDD;#` (date), `@Stm;6;HHmmss00;#` (time), `@ATH;8;<password>;#` (storage mode).
/// The length fields are the published ones, `6` for the time included.
///
/// Guarantees: `description` never shows the password (it says `<password>` in its place);
/// only `bytes` holds it, for the bulk OUT transfer.
public struct AmbaASCIICommand: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// "Ver", "Gdv", "Sdt", "Stm" or "ATH".
    public let name: String
    /// Whether the command carries the password.
    public let carriesPassword: Bool
    private let lengthField: String
    private let argument: [UInt8]

    private init(name: String, lengthField: String, argument: [UInt8], carriesPassword: Bool) {
        self.name = name
        self.lengthField = lengthField
        self.argument = argument
        self.carriesPassword = carriesPassword
    }

    /// `@Ver;8;00000000;#`: asks the device whether it is in its vendor mode. No password.
    public static let version = AmbaASCIICommand(name: "Ver", lengthField: "8", argument: Array("00000000".utf8), carriesPassword: false)

    /// `@Gdv;8;<password>;#`: logs in and asks for the device id.
    public static func deviceId(_ password: AmbaASCIIPassword) -> AmbaASCIICommand {
        AmbaASCIICommand(name: "Gdv", lengthField: "8", argument: password.bytes, carriesPassword: true)
    }

    /// `@ATH;8;<password>;#`: switches the device to storage mode.
    public static func storageMode(_ password: AmbaASCIIPassword) -> AmbaASCIICommand {
        AmbaASCIICommand(name: "ATH", lengthField: "8", argument: password.bytes, carriesPassword: true)
    }

    /// `@Sdt;8;YYYYMMDD;#`: sets the device's date.
    ///
    /// - Throws: `AmbaClockError` unless the date exists and its year has four digits.
    public static func setDate(year: Int, month: Int, day: Int) throws(AmbaClockError) -> AmbaASCIICommand {
        guard (1...9999).contains(year) else { throw .field("year", year, "1...9999") }
        guard (1...12).contains(month) else { throw .field("month", month, "1...12") }
        let days = CivilCalendar.daysIn(month: month, year: year)
        guard (1...days).contains(day) else { throw .field("day", day, "1...\(days)") }
        return AmbaASCIICommand(name: "Sdt", lengthField: "8",
                                argument: Array((digits(year, 4) + digits(month, 2) + digits(day, 2)).utf8), carriesPassword: false)
    }

    /// `@Stm;6;HHmmss00;#`: sets the device's time of day (the last two digits are always 00).
    ///
    /// - Throws: `AmbaClockError` unless hour, minute and second are a time of day (a leap
    ///   second is refused: devices do not take 60).
    public static func setTime(hour: Int, minute: Int, second: Int) throws(AmbaClockError) -> AmbaASCIICommand {
        guard (0...23).contains(hour) else { throw .field("hour", hour, "0...23") }
        guard (0...59).contains(minute) else { throw .field("minute", minute, "0...59") }
        guard (0...59).contains(second) else { throw .field("second", second, "0...59") }
        return AmbaASCIICommand(name: "Stm", lengthField: "6",
                                argument: Array((digits(hour, 2) + digits(minute, 2) + digits(second, 2) + "00").utf8), carriesPassword: false)
    }

    /// The bytes of the bulk OUT transfer.
    public var bytes: [UInt8] {
        Array("@\(name);\(lengthField);".utf8) + argument + Array(";#".utf8)
    }

    /// Where a command the host sent holds the password, for a capture to write `<password>`
    /// there: in `@Gdv;8;…;#` and `@ATH;8;…;#`, everything between the length field's `;` and
    /// the closing `;#` (to the end when the command is cut short); nil for any other command.
    public static func passwordSpan(inSent bytes: [UInt8]) -> Range<Int>? {
        let prefixes = ["@Gdv;", "@ATH;"].map { Array($0.utf8) }
        guard prefixes.contains(where: { bytes.starts(with: $0) }) else { return nil }
        let semicolon = UInt8(ascii: ";")
        // The argument starts after the second `;` (the one that ends the length field).
        guard let second = bytes.indices.dropFirst(5).first(where: { bytes[$0] == semicolon }) else {
            return 5..<bytes.count
        }
        let start = second + 1
        let closing = Array(";#".utf8)
        let end = bytes.count >= start + closing.count && Array(bytes.suffix(closing.count)) == closing ? bytes.count - closing.count : bytes.count
        return start..<max(start, end)
    }

    /// The command as sent, with `<password>` in place of the password.
    public var description: String {
        "@\(name);\(lengthField);" + (carriesPassword ? "<password>" : String(decoding: argument, as: UTF8.self)) + ";#"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["command": description], displayStyle: .struct) }

    private static func digits(_ value: Int, _ count: Int) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, count - s.count)) + s
    }
}

/// A date or time that amba-ascii's clock commands cannot carry.
public enum AmbaClockError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `name` is `value`, outside `range`.
    case field(String, Int, String)

    public var description: String {
        switch self {
        case .field(let name, let value, let range): "\(name) \(value) is outside \(range)"
        }
    }
}
