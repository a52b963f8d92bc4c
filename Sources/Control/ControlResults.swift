// The result of each command (Docs/control-api.md, "Commands"), shared by the service, which
// encodes them, and recorderctl, which decodes them. Members marked @Nullable are always on
// the wire (null when empty); plain optionals are left out when nil.

/// `ping`.
public struct PingResult: Codable, Sendable, Equatable {
    public var service: String
    public var protocolVersion: Int

    enum CodingKeys: String, CodingKey {
        case service
        case protocolVersion = "protocol"
    }

    public init(service: String, protocolVersion: Int) {
        self.service = service
        self.protocolVersion = protocolVersion
    }
}

/// `devices`: every bay seen since the service started, in the order they appeared.
public struct DevicesResult: Codable, Sendable, Equatable {
    public var bays: [BayStatus]

    public init(bays: [BayStatus]) { self.bays = bays }
}

/// `info`: a recorder's bay (when docked), its recent sessions and its recordings.
public struct InfoResult: Codable, Sendable, Equatable {
    /// One dock session, newest first.
    public struct Session: Codable, Sendable, Equatable {
        public var bag: String
        public var bay: String
        public var started: String
        @Nullable public var ended: String?
        public var state: String

        public init(bag: String, bay: String, started: String, ended: String?, state: String) {
            self.bag = bag
            self.bay = bay
            self.started = started
            self.ended = ended
            self.state = state
        }
    }

    /// Counts from the ledger.
    public struct Recordings: Codable, Sendable, Equatable {
        public var ingested: Int
        public var quarantined: Int
        public var released: Int

        public init(ingested: Int, quarantined: Int, released: Int) {
            self.ingested = ingested
            self.quarantined = quarantined
            self.released = released
        }
    }

    @Nullable public var serial: String?
    /// Absent when the recorder is not in a bay.
    public var bay: BayStatus?
    public var sessions: [Session]
    public var recordings: Recordings

    public init(serial: String?, bay: BayStatus?, sessions: [Session], recordings: Recordings) {
        self.serial = serial
        self.bay = bay
        self.sessions = sessions
        self.recordings = recordings
    }
}

/// `files`: the ledger of one recorder.
public struct FilesResult: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var recordingId: Int
        public var size: UInt64
        public var sha256: String
        public var bag: String
        /// verified or quarantined.
        public var state: String
        public var ingested: String
        @Nullable public var released: String?

        public init(recordingId: Int, size: UInt64, sha256: String, bag: String, state: String, ingested: String, released: String?) {
            self.recordingId = recordingId
            self.size = size
            self.sha256 = sha256
            self.bag = bag
            self.state = state
            self.ingested = ingested
            self.released = released
        }
    }

    @Nullable public var serial: String?
    public var files: [File]

    public init(serial: String?, files: [File]) {
        self.serial = serial
        self.files = files
    }
}

/// `diagnose` (and `recorderctl diagnose --direct`, which builds the same result itself).
public struct DiagnoseResult: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        /// PASS, WARN or FAIL.
        public var result: String
        public var detail: String
        public var hint: String

        public init(name: String, result: String, detail: String, hint: String) {
            self.name = name
            self.result = result
            self.detail = detail
            self.hint = hint
        }
    }

    @Nullable public var bay: String?
    @Nullable public var serial: String?
    public var checks: [Check]

    public init(bay: String?, serial: String?, checks: [Check]) {
        self.bay = bay
        self.serial = serial
        self.checks = checks
    }
}

/// `capture`: the next dock in the bay will be recorded.
public struct CaptureResult: Codable, Sendable, Equatable {
    public var bay: String
    public var path: String
    public var armed: Bool

    public init(bay: String, path: String, armed: Bool) {
        self.bay = bay
        self.path = path
        self.armed = armed
    }
}

/// `retry`: how many objects of the bag are pending again.
/// `front`: a bag moved to the front of the forward queue. `moved` false: every object of it
/// was verified in the store already, nothing to move (`position` null).
public struct FrontResult: Codable, Sendable, Equatable {
    public var bag: String
    public var moved: Bool
    @Nullable public var position: Int?

    public init(bag: String, moved: Bool, position: Int?) {
        self.bag = bag
        self.moved = moved
        self.position = position
    }
}

public struct RetryResult: Codable, Sendable, Equatable {
    public var bag: String
    public var requeued: Int

    public init(bag: String, requeued: Int) {
        self.bag = bag
        self.requeued = requeued
    }
}
