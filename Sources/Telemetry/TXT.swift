extension NMEASentence {
    /// TXT, a text message from the receiver (antenna status, firmware banner, ...).
    ///
    /// Fields: number of messages, message number, text identifier, text. A comma inside the
    /// text (which NMEA reserves, but receivers send) is kept as part of the text.
    public struct TXT: Equatable, Sendable {
        public var talker: NMEATalker
        public var messageCount: Int
        public var messageNumber: Int
        public var identifier: Int?
        /// As sent: printable ASCII; NMEA's "^hh" escapes are not expanded.
        public var text: String

        public init(talker: NMEATalker, messageCount: Int, messageNumber: Int, identifier: Int?, text: String) {
            self.talker = talker
            self.messageCount = messageCount
            self.messageNumber = messageNumber
            self.identifier = identifier
            self.text = text
        }

        init(talker: NMEATalker, fields f: NMEAFields) throws(NMEAFieldError) {
            try f.require(4, last: "text")
            guard let count = try f.integer(0, "number of messages", 1...99) else {
                throw f.fail("number of messages", "is empty")
            }
            guard let number = try f.integer(1, "message number", 1...count) else {
                throw f.fail("message number", "is empty")
            }
            self.init(talker: talker, messageCount: count, messageNumber: number,
                      identifier: try f.integer(2, "text identifier", 0...99),
                      text: f.fields[3...].joined(separator: ","))
        }
    }
}
