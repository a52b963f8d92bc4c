import Evidence
import Foundation
import GatewayCrypto

extension BagVerifier {
    /// A bag's custody record as read, and what is wrong with it or its signature.
    public struct Custody: Sendable {
        /// The record, when custody.json could be read and parsed, whether or not its
        /// signature holds.
        public var record: CustodyRecord?
        /// The key the signature was checked with, hex; nil when there was none.
        public var publicKey: String?
        /// custody.json or custody.json.sig missing or unreadable, the record unparsable, the
        /// signature not verifying, or the record naming another key than the trusted one;
        /// each naming the file.
        public var problems: [String] = []

        /// The record was read and its signature holds: its contents are the gateway's word.
        public var isSigned: Bool { record != nil && problems.isEmpty }
    }

    /// Reads `custody.json` and checks `custody.json.sig` over its exact bytes, with the trusted
    /// key, or without one with the key the record names. Reads only the two small files.
    public func custody(of bag: String) -> Custody {
        var custody = Custody()
        let fm = FileManager.default
        let bytes = fm.contents(atPath: bag + "/custody.json")
        let signature = fm.contents(atPath: bag + "/custody.json.sig")
        if bytes == nil { custody.problems.append("custody.json: missing or unreadable") }
        if signature == nil { custody.problems.append("custody.json.sig: missing or unreadable") }
        guard let bytes, let signature else { return custody }
        do { custody.record = try CustodyRecord(json: bytes) } catch {
            custody.problems.append("custody.json: \(error)")
        }
        var key = trustedKey
        if key == nil, let hex = custody.record?.gateway.publicKey, let raw = GatewayCrypto.bytes(fromHex: hex) {
            key = try? Ed25519PublicKey(rawRepresentation: raw)
        }
        guard let key else {
            custody.problems.append("custody.json.sig: no key to check it with (no gateway.pub, no key in the record)")
            return custody
        }
        let hex = hexString(key.rawRepresentation)
        custody.publicKey = hex
        // Over the stored bytes, never a re-encoding (Docs/evidence-format.md §4.2).
        if !key.isValidSignature(Array(signature), for: Array(bytes)) {
            custody.problems.append("custody.json.sig: does not verify custody.json with key \(hex.prefix(16))…")
        }
        if let named = custody.record?.gateway.publicKey, trustedKey != nil, named != hex {
            custody.problems.append("custody.json: names gateway key \(named.prefix(16))…, not the store's gateway.pub")
        }
        return custody
    }
}
