/// A password a family's vendor unlock sends to the device (the kiosk's admin password for the
/// recorders of that family), held so that it cannot be printed by accident.
///
/// Guarantees: `description`, `debugDescription`, string interpolation, `dump` and `Mirror`
/// never show the text; only `reveal()` does, and only a family's driver calls it, to encode
/// its command, and `PasswordRedaction`, to find it in a capture and write `<password>` instead.
public struct UnlockSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let text: String

    public init(_ text: String) { self.text = text }

    /// The password's text, for the family's command encoder and the capture's redaction.
    public func reveal() -> String { text }

    public var description: String { "<password withheld>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
