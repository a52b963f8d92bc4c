import EvidenceStore
import Forwarding
import Foundation
import GatewayCrypto
import Settings

let verifyCommand = Command(
    name: "verify",
    synopsis: "verify BAG|--all [--store DIR]   re-hash bags; check manifests, signatures, audit anchors",
    help: """
    usage: recorderctl verify BAG [--store DIR] [--json]
           recorderctl verify --all [--store DIR | --config FILE] [--json]

    Re-hashes every payload file against manifest-sha256.txt, checks the tag manifest,
    Payload-Oxum, and custody.json.sig against the store's gateway.pub (or, without one, the
    key the record names). The signed custody record must list exactly the payload: every
    manifest entry is one of its files, with the same SHA-256 and size, and every one of its
    files is in the manifest. Each bag's audit anchor (custody.json "audit": the seq and hash
    of the newest audit entry at sealing) must be in the store's audit log: with --all always
    (no log at all fails every anchored bag), for one BAG when the store it is sealed in (the
    directory above its bags/) has audit/audit.jsonl. With --config FILE of a gateway
    that forwards, each file's copy in the remote store is checked as well (size, SHA-256 or
    the multipart composite, retention). BAG is a bag directory or a bag
    name under STORE/bags. Exit 1 on any problem, naming the file, or the bag and the anchor's
    seq and hash; 2 when --all finds no bags; 3 when BAG does not exist.
    """,
    run: { args in
        let all = args.flag("--all")
        // With a configuration that forwards, the store's copies are checked too.
        let settings = try args.settings()
        let forward = settings.forward
        let layout = StoreLayout(root: settings.store)
        let names = try args.positionals(min: all ? 0 : 1, max: all ? 0 : 1)
        var bags: [String] = []
        if all {
            bags = layout.sealedBags()
            if bags.isEmpty { return Output(exit: .nothingToDo, lines: ["no bags in \(layout.bagsDirectory)"], json: ["bags": [Any](), "ok": true]) }
        } else {
            let given = names[0]
            let candidates = [given, layout.finalBag(given)]
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/bagit.txt") }) else {
                throw NotFound(description: "no bag at \(given) or \(layout.finalBag(given))")
            }
            bags = [found]
        }
        // The key that signed the store's bags: from the store if it has one, else from the
        // store the bag is in.
        let home = StoreLayout.containing(bag: bags[0])
        let key = ([layout] + (home.map { [$0] } ?? [])).lazy.compactMap { $0.publicKey() }.first
        // The audit log the anchors are looked up in. --all checks a whole store, whose log must
        // be there (a missing one is a log cut back to nothing); one bag is checked against the
        // log of the store it is sealed in, when that store has one.
        var auditLog: StoreAuditLog?
        if all {
            auditLog = StoreAuditLog(layout)
        } else if let home {
            let log = StoreAuditLog(home)
            if log.exists { auditLog = log }
        }
        let verifier = BagVerifier(trustedKey: key, auditLog: auditLog)
        var out = Output()
        var list: [[String: Any]] = []
        for bag in bags {
            let r = verifier.verify(bag: bag)
            let name = (bag as NSString).lastPathComponent
            out.lines.append((r.isIntact ? "OK    " : "FAIL  ") + "\(name)  \(r.files) files, \(r.bytes) bytes")
            for p in r.problems { out.lines.append("      \(p)") }
            for n in r.notes { out.lines.append("      note: \(n)") }
            if !r.isIntact { out.exit = .failure }
            var remote: [String]? = nil
            if let forward {
                remote = runBlocking {
                    do { return try await RemoteVerifier(settings: forward).verify(bag: bag) } catch { return ["remote store: \(error)"] }
                }
                out.lines.append((remote!.isEmpty ? "OK    " : "FAIL  ") + "\(name)  copy in s3://\(forward.bucket)/\(forward.prefix)")
                for p in remote! { out.lines.append("      \(p)") }
                if !remote!.isEmpty { out.exit = .failure }
            }
            list.append(["bag": bag, "ok": r.isIntact && (remote?.isEmpty ?? true), "files": r.files, "bytes": r.bytes, "problems": r.problems,
                         "remoteProblems": remote.map { $0 as Any } ?? NSNull(),
                         "publicKey": r.publicKey ?? NSNull(), "trustedKey": key != nil, "notes": r.notes,
                         "anchor": r.anchor.map { ["seq": $0.seq, "hash": $0.hash] as [String: Any] } ?? NSNull()])
        }
        if key == nil {
            out.lines.append("note: no gateway.pub found; signatures were checked against the key each record names")
        }
        if auditLog == nil {
            out.lines.append("note: the bag is not in a store with an audit log; its audit anchor was not checked")
        }
        out.json = ["bags": list, "ok": out.exit == .ok, "auditLog": auditLog?.path ?? NSNull()]
        return out
    })
