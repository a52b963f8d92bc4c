/// `queue`: the forward queue. A gateway that forwards nothing answers only `forwarding`
/// (false) and `bags` (empty); one that forwards names its store and always carries
/// `lastProblem`, null when there is none.
public struct QueueResult: Codable, Sendable, Equatable {
    /// One bag's objects by state.
    public struct Bag: Codable, Sendable, Equatable {
        public var bag: String
        public var objects: Int
        public var verified: Int
        public var pending: Int
        public var failed: Int
        public var bytes: UInt64
        @Nullable public var lastError: String?

        public init(bag: String, objects: Int, verified: Int, pending: Int, failed: Int, bytes: UInt64, lastError: String?) {
            self.bag = bag
            self.objects = objects
            self.verified = verified
            self.pending = pending
            self.failed = failed
            self.bytes = bytes
            self.lastError = lastError
        }
    }

    /// Where bags go, when the gateway forwards.
    public struct Store: Sendable, Equatable {
        public var bucket: String
        public var prefix: String
        public var endpoint: String
        public var lastProblem: String?

        public init(bucket: String, prefix: String, endpoint: String, lastProblem: String?) {
            self.bucket = bucket
            self.prefix = prefix
            self.endpoint = endpoint
            self.lastProblem = lastProblem
        }
    }

    public var forwarding: Bool
    /// Nil: this gateway forwards nothing.
    public var store: Store?
    public var bags: [Bag]

    public init(forwarding: Bool, store: Store?, bags: [Bag]) {
        self.forwarding = forwarding
        self.store = store
        self.bags = bags
    }

    enum CodingKeys: String, CodingKey {
        case forwarding, bucket, prefix, endpoint, lastProblem, bags
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        forwarding = try c.decode(Bool.self, forKey: .forwarding)
        bags = try c.decode([Bag].self, forKey: .bags)
        if let bucket = try c.decodeIfPresent(String.self, forKey: .bucket) {
            store = Store(bucket: bucket, prefix: try c.decodeIfPresent(String.self, forKey: .prefix) ?? "",
                          endpoint: try c.decodeIfPresent(String.self, forKey: .endpoint) ?? "",
                          lastProblem: try c.decodeIfPresent(String.self, forKey: .lastProblem))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(forwarding, forKey: .forwarding)
        try c.encode(bags, forKey: .bags)
        if let store {
            try c.encode(store.bucket, forKey: .bucket)
            try c.encode(store.prefix, forKey: .prefix)
            try c.encode(store.endpoint, forKey: .endpoint)
            try c.encode(store.lastProblem, forKey: .lastProblem)
        }
    }
}
