#if canImport(Glibc)
import Glibc
#endif

/// Hands the memory malloc holds free back to the system.
///
/// Why: glibc keeps what a thread frees in that thread's arena, for that arena's next
/// allocations. A dock's pull runs on Dispatch's threads and its seal on whichever thread the
/// task resumes on, so the pull's freed buffers and catalog were still counted in the kiosk's
/// RSS while the seal made its record and reports elsewhere, and RSS stayed above the heap's
/// own peak by MBs (#11, Docs/reliability.md §8).
enum FreedMemory {
    /// glibc's `malloc_trim`, looked up at run time: the Glibc module does not import
    /// <malloc.h>, and a C library without it (musl) simply keeps its memory.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Returns every arena's free pages to the system (`malloc_trim(0)`): a walk over the free
    /// lists, milliseconds, so it is called between a dock's phases, never per file. True when
    /// the C library has the call and gave memory back.
    @discardableResult
    static func release() -> Bool {
        (trim?(0) ?? 0) == 1
    }
}
