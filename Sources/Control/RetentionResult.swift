/// `prune` (Docs/control-api.md): what local retention does, or would do, with each bag.
public struct RetentionResult: Codable, Sendable, Equatable {
    public struct Bag: Codable, Sendable, Equatable {
        public var bag: String
        /// `prune` (the plan allows it; with `dryRun` false, done unless `detail` says why not),
        /// `pruned`, or `keep`.
        public var action: String
        /// Why it stays, or the remote copy it relied on.
        public var detail: String

        public init(bag: String, action: String, detail: String) {
            self.bag = bag
            self.action = action
            self.detail = detail
        }
    }

    /// `prune-after-days`, or nil for keep.
    @Nullable public var pruneAfterDays: Int?
    public var dryRun: Bool
    public var bags: [Bag]

    public init(pruneAfterDays: Int?, dryRun: Bool, bags: [Bag]) {
        self.pruneAfterDays = pruneAfterDays
        self.dryRun = dryRun
        self.bags = bags
    }
}
