extension Journal {
    /// A bag in the forward queue, with what decides its place among the others
    /// (Forwarding's `ForwardOrder`): kept across restarts like the queue itself.
    public struct ForwardBag: Hashable, Sendable {
        public var bagName: String
        /// When the bag was queued (its seal), UTC; the empty string for a bag of an earlier
        /// schema whose session has no end.
        public var queuedUTC: String
        /// It holds a recording the recorder flagged important.
        public var important: Bool
        /// Set when a technician moved the bag to the front (`recorderctl queue --front`): the
        /// higher, the later the move, and the nearer the front.
        public var frontRank: Int?

        public init(bagName: String, queuedUTC: String, important: Bool = false, frontRank: Int? = nil) {
            self.bagName = bagName
            self.queuedUTC = queuedUTC
            self.important = important
            self.frontRank = frontRank
        }
    }

    /// Every bag with objects in the forward queue and its place (a bag whose objects are all
    /// verified too); by name.
    public func forwardBags() throws(JournalError) -> [ForwardBag] {
        try locked { () throws(JournalError) -> [ForwardBag] in
            try db.query("SELECT bag_name, queued_utc, important, front_rank FROM forward_bag ORDER BY bag_name").map { r in
                ForwardBag(bagName: r[0].string ?? "", queuedUTC: r[1].string ?? "", important: (r[2].int ?? 0) != 0,
                           frontRank: r[3].int.map { Int($0) })
            }
        }
    }

    /// Moves `bag` ahead of every other bag in the forward queue (ahead of the bags moved before
    /// it too). False, and nothing changed, when the queue holds no such bag.
    public func moveForwardBagToFront(_ bag: String) throws(JournalError) -> Bool {
        try locked { () throws(JournalError) -> Bool in
            try db.query("UPDATE forward_bag SET front_rank = (SELECT COALESCE(MAX(front_rank), 0) + 1 FROM forward_bag) WHERE bag_name = ?",
                         [.text(bag)])
            return db.changes > 0
        }
    }
}
