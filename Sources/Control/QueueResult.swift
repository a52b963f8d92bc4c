/// `queue`: the forward queue. A gateway that forwards nothing answers only `forwarding`
/// (false) and `bags` (empty); one that forwards names its store and always carries
/// `lastProblem`, `rateLimit`, `hours` and `resumes`, null when there is none.
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
        /// The bag's place among the bags still to forward, from 1 (the next to start); null
        /// once every object of it is verified in the store.
        @Nullable public var position: Int?
        /// Why it has that place (Forwarding's `ForwardOrder`): `moved-to-front` (by a
        /// technician), `important` (it holds a recording flagged important), `age` (oldest
        /// first); null once forwarded.
        @Nullable public var order: String?

        public init(bag: String, objects: Int, verified: Int, pending: Int, failed: Int, bytes: UInt64, lastError: String?,
                    position: Int? = nil, order: String? = nil) {
            self.bag = bag
            self.objects = objects
            self.verified = verified
            self.pending = pending
            self.failed = failed
            self.bytes = bytes
            self.lastError = lastError
            self.position = position
            self.order = order
        }
    }

    /// Where bags go, when the gateway forwards.
    public struct Store: Sendable, Equatable {
        public var bucket: String
        public var prefix: String
        public var endpoint: String
        public var lastProblem: String?
        /// `forward-rate-limit`, bytes a second for all uploads together; nil: no cap.
        public var rateLimit: Int64?
        /// `forward-hours` (`22:00-06:00,12:00-13:00`, local time); nil: any hour.
        public var hours: String?
        /// Outside those hours, when the next window opens (ISO 8601 with the kiosk's offset);
        /// nil while uploads may start.
        public var resumes: String?

        public init(bucket: String, prefix: String, endpoint: String, lastProblem: String?, rateLimit: Int64? = nil,
                    hours: String? = nil, resumes: String? = nil) {
            self.bucket = bucket
            self.prefix = prefix
            self.endpoint = endpoint
            self.lastProblem = lastProblem
            self.rateLimit = rateLimit
            self.hours = hours
            self.resumes = resumes
        }
    }

    public var forwarding: Bool
    /// Nil: this gateway forwards nothing.
    public var store: Store?
    /// The bags still to forward in forwarding order (`position` 1, 2, …), then the bags
    /// forwarded, by name.
    public var bags: [Bag]

    public init(forwarding: Bool, store: Store?, bags: [Bag]) {
        self.forwarding = forwarding
        self.store = store
        self.bags = bags
    }

    enum CodingKeys: String, CodingKey {
        case forwarding, bucket, prefix, endpoint, lastProblem, rateLimit, hours, resumes, bags
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        forwarding = try c.decode(Bool.self, forKey: .forwarding)
        bags = try c.decode([Bag].self, forKey: .bags)
        if let bucket = try c.decodeIfPresent(String.self, forKey: .bucket) {
            store = Store(bucket: bucket, prefix: try c.decodeIfPresent(String.self, forKey: .prefix) ?? "",
                          endpoint: try c.decodeIfPresent(String.self, forKey: .endpoint) ?? "",
                          lastProblem: try c.decodeIfPresent(String.self, forKey: .lastProblem),
                          rateLimit: try c.decodeIfPresent(Int64.self, forKey: .rateLimit),
                          hours: try c.decodeIfPresent(String.self, forKey: .hours),
                          resumes: try c.decodeIfPresent(String.self, forKey: .resumes))
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
            try c.encode(store.rateLimit, forKey: .rateLimit)
            try c.encode(store.hours, forKey: .hours)
            try c.encode(store.resumes, forKey: .resumes)
        }
    }
}
