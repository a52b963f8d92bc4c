import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How many malloc arenas glibc may make: the gateway's peak memory during a pull.
///
/// Why: glibc gives each thread that allocates while another holds an arena an arena of its
/// own, up to eight per core, and keeps what is freed in the arena it came from. A pull's
/// 1 MiB chunks are allocated on the Dispatch thread that decodes a frame and freed on the one
/// that wrote them to disk, so with sixteen arenas on two cores each arena held its own set of
/// free chunks: a 1 GiB pull with the simulated recorder in the process peaked at 75–84 MiB,
/// and more at 4 GiB. With two arenas it was 65–68 MiB, but one run in five spread the chunks
/// over both (74–84 MiB); with one, 64–69 MiB in every run (68 at 4 GiB), with no more CPU,
/// page faults or context switches than sixteen, eight bays at once included
/// (Docs/performance.md, "Peak memory (#15)"). Small allocations do not take the arena's lock
/// at all: glibc serves them from a per-thread cache.
public enum MallocArenas {
    /// The arenas the gateway allows: one, which every thread's large buffers share.
    public static let gatewayLimit = 1

    /// `mallopt(M_ARENA_MAX)`, looked up at run time: the Glibc module does not import
    /// <malloc.h>, and another C library simply keeps its own policy.
    private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// glibc's M_ARENA_MAX parameter number (<malloc.h>).
    private static let arenaMax: Int32 = -8

    /// Limits the arenas to `count`, unless the environment already says how many
    /// (`MALLOC_ARENA_MAX`, or `GLIBC_TUNABLES` naming `glibc.malloc.arena_max`): an operator's
    /// setting wins. Call first thing, before other threads allocate. True when the limit was
    /// set here.
    @discardableResult
    public static func limit(to count: Int, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard environment["MALLOC_ARENA_MAX"] == nil,
              !(environment["GLIBC_TUNABLES"] ?? "").contains("glibc.malloc.arena_max") else { return false }
        guard let mallopt, count > 0 else { return false }
        return mallopt(arenaMax, Int32(clamping: count)) == 1
    }
}
