/// MD5 (RFC 1321), incremental, in plain Swift.
///
/// Only a TRANSPORT checksum: S3 servers demand `Content-MD5` on uploads with Object Lock
/// (and Ceph verifies it), and a single-part object's ETag is its MD5. MD5 is broken as a
/// cryptographic hash and proves nothing against someone who chooses the bytes; the evidence
/// hash is SHA-256 (GatewayCrypto). It lives here, not in GatewayCrypto, so nothing else in
/// the gateway is tempted to use it.
///
/// Not thread-safe: one hasher belongs to one task at a time. `finalize()` may be called once.
struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    /// Bytes waiting for a full 64-byte block.
    private var pending = [UInt8]()
    private var length: UInt64 = 0
    private var finished = false

    init() { pending.reserveCapacity(64) }

    /// Adds bytes to the hash.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "MD5.update after finalize")
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending += bytes[0..<take]
            offset = take
            if pending.count == 64 {
                pending.withUnsafeBytes { compress($0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - offset >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 64]))
            offset += 64
        }
        if offset < bytes.count { pending += bytes[offset...] }
    }

    /// Adds bytes to the hash.
    mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The 16-byte digest of everything added.
    mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        // Padding: 0x80, zeros up to 56 mod 64, then the bit length little-endian.
        var tail: [UInt8] = [0x80]
        tail += [UInt8](repeating: 0, count: (55 &- pending.count &+ 64) % 64)
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        tail.withUnsafeBytes { update($0) }
        precondition(pending.isEmpty)
        finished = true
        var out = [UInt8]()
        out.reserveCapacity(16)
        for word in [state.0, state.1, state.2, state.3] {
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))) }
        }
        return out
    }

    /// The MD5 of `bytes`.
    static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var h = MD5()
        h.update(bytes)
        return h.finalize()
    }

    // MARK: The compression function (RFC 1321 §3.4)

    /// Mixes one 64-byte block into the state: the four rounds of 16 steps, written out so
    /// the optimiser keeps everything in registers (550 MB/s in a release build; a loop over
    /// tables ran at half that). The constants are RFC 1321's T[i] = floor(2^32 |sin(i)|),
    /// written out rather than computed so they cannot depend on the platform's `sin`.
    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        @inline(__always) func x(_ i: Int) -> UInt32 {
            UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self))
        }
        @inline(__always) func step(_ a: inout UInt32, _ b: UInt32, _ f: UInt32, _ word: UInt32, _ t: UInt32, _ s: UInt32) {
            let sum = a &+ f &+ word &+ t
            a = b &+ ((sum << s) | (sum >> (32 &- s)))
        }
        var (a, b, c, d) = state
        // Round 1: F(b, c, d) = (b & c) | (~b & d), words in order.
        step(&a, b, (b & c) | (~b & d), x(0), 0xD76A_A478, 7); step(&d, a, (a & b) | (~a & c), x(1), 0xE8C7_B756, 12)
        step(&c, d, (d & a) | (~d & b), x(2), 0x2420_70DB, 17); step(&b, c, (c & d) | (~c & a), x(3), 0xC1BD_CEEE, 22)
        step(&a, b, (b & c) | (~b & d), x(4), 0xF57C_0FAF, 7); step(&d, a, (a & b) | (~a & c), x(5), 0x4787_C62A, 12)
        step(&c, d, (d & a) | (~d & b), x(6), 0xA830_4613, 17); step(&b, c, (c & d) | (~c & a), x(7), 0xFD46_9501, 22)
        step(&a, b, (b & c) | (~b & d), x(8), 0x6980_98D8, 7); step(&d, a, (a & b) | (~a & c), x(9), 0x8B44_F7AF, 12)
        step(&c, d, (d & a) | (~d & b), x(10), 0xFFFF_5BB1, 17); step(&b, c, (c & d) | (~c & a), x(11), 0x895C_D7BE, 22)
        step(&a, b, (b & c) | (~b & d), x(12), 0x6B90_1122, 7); step(&d, a, (a & b) | (~a & c), x(13), 0xFD98_7193, 12)
        step(&c, d, (d & a) | (~d & b), x(14), 0xA679_438E, 17); step(&b, c, (c & d) | (~c & a), x(15), 0x49B4_0821, 22)
        // Round 2: G(b, c, d) = (b & d) | (c & ~d), words 1, 6, 11, 0, … (5i + 1 mod 16).
        step(&a, b, (b & d) | (c & ~d), x(1), 0xF61E_2562, 5); step(&d, a, (a & c) | (b & ~c), x(6), 0xC040_B340, 9)
        step(&c, d, (d & b) | (a & ~b), x(11), 0x265E_5A51, 14); step(&b, c, (c & a) | (d & ~a), x(0), 0xE9B6_C7AA, 20)
        step(&a, b, (b & d) | (c & ~d), x(5), 0xD62F_105D, 5); step(&d, a, (a & c) | (b & ~c), x(10), 0x0244_1453, 9)
        step(&c, d, (d & b) | (a & ~b), x(15), 0xD8A1_E681, 14); step(&b, c, (c & a) | (d & ~a), x(4), 0xE7D3_FBC8, 20)
        step(&a, b, (b & d) | (c & ~d), x(9), 0x21E1_CDE6, 5); step(&d, a, (a & c) | (b & ~c), x(14), 0xC337_07D6, 9)
        step(&c, d, (d & b) | (a & ~b), x(3), 0xF4D5_0D87, 14); step(&b, c, (c & a) | (d & ~a), x(8), 0x455A_14ED, 20)
        step(&a, b, (b & d) | (c & ~d), x(13), 0xA9E3_E905, 5); step(&d, a, (a & c) | (b & ~c), x(2), 0xFCEF_A3F8, 9)
        step(&c, d, (d & b) | (a & ~b), x(7), 0x676F_02D9, 14); step(&b, c, (c & a) | (d & ~a), x(12), 0x8D2A_4C8A, 20)
        // Round 3: H(b, c, d) = b ^ c ^ d, words 5, 8, 11, 14, … (3i + 5 mod 16).
        step(&a, b, b ^ c ^ d, x(5), 0xFFFA_3942, 4); step(&d, a, a ^ b ^ c, x(8), 0x8771_F681, 11)
        step(&c, d, d ^ a ^ b, x(11), 0x6D9D_6122, 16); step(&b, c, c ^ d ^ a, x(14), 0xFDE5_380C, 23)
        step(&a, b, b ^ c ^ d, x(1), 0xA4BE_EA44, 4); step(&d, a, a ^ b ^ c, x(4), 0x4BDE_CFA9, 11)
        step(&c, d, d ^ a ^ b, x(7), 0xF6BB_4B60, 16); step(&b, c, c ^ d ^ a, x(10), 0xBEBF_BC70, 23)
        step(&a, b, b ^ c ^ d, x(13), 0x289B_7EC6, 4); step(&d, a, a ^ b ^ c, x(0), 0xEAA1_27FA, 11)
        step(&c, d, d ^ a ^ b, x(3), 0xD4EF_3085, 16); step(&b, c, c ^ d ^ a, x(6), 0x0488_1D05, 23)
        step(&a, b, b ^ c ^ d, x(9), 0xD9D4_D039, 4); step(&d, a, a ^ b ^ c, x(12), 0xE6DB_99E5, 11)
        step(&c, d, d ^ a ^ b, x(15), 0x1FA2_7CF8, 16); step(&b, c, c ^ d ^ a, x(2), 0xC4AC_5665, 23)
        // Round 4: I(b, c, d) = c ^ (b | ~d), words 0, 7, 14, 5, … (7i mod 16).
        step(&a, b, c ^ (b | ~d), x(0), 0xF429_2244, 6); step(&d, a, b ^ (a | ~c), x(7), 0x432A_FF97, 10)
        step(&c, d, a ^ (d | ~b), x(14), 0xAB94_23A7, 15); step(&b, c, d ^ (c | ~a), x(5), 0xFC93_A039, 21)
        step(&a, b, c ^ (b | ~d), x(12), 0x655B_59C3, 6); step(&d, a, b ^ (a | ~c), x(3), 0x8F0C_CC92, 10)
        step(&c, d, a ^ (d | ~b), x(10), 0xFFEF_F47D, 15); step(&b, c, d ^ (c | ~a), x(1), 0x8584_5DD1, 21)
        step(&a, b, c ^ (b | ~d), x(8), 0x6FA8_7E4F, 6); step(&d, a, b ^ (a | ~c), x(15), 0xFE2C_E6E0, 10)
        step(&c, d, a ^ (d | ~b), x(6), 0xA301_4314, 15); step(&b, c, d ^ (c | ~a), x(13), 0x4E08_11A1, 21)
        step(&a, b, c ^ (b | ~d), x(4), 0xF753_7E82, 6); step(&d, a, b ^ (a | ~c), x(11), 0xBD3A_F235, 10)
        step(&c, d, a ^ (d | ~b), x(2), 0x2AD7_D2BB, 15); step(&b, c, d ^ (c | ~a), x(9), 0xEB86_D391, 21)
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
