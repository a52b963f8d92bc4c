import Dock
import Testing

/// The gateway limits glibc's malloc arenas at start, unless the operator's environment has
/// already said how many (MALLOC_ARENA_MAX, or glibc.malloc.arena_max in GLIBC_TUNABLES).
/// The counts set here are large, so the test process itself is not held to few arenas.
@Suite struct MallocArenasTests {
    @Test func anOperatorsMallocArenaMaxWins() {
        #expect(!MallocArenas.limit(to: 1024, environment: ["MALLOC_ARENA_MAX": "8"]))
        #expect(!MallocArenas.limit(to: 1024, environment: ["GLIBC_TUNABLES": "glibc.malloc.check=0:glibc.malloc.arena_max=4"]))
    }

    @Test func noCountIsNoLimit() {
        #expect(!MallocArenas.limit(to: 0, environment: [:]))
    }

    #if canImport(Glibc)
    @Test func glibcTakesTheLimitWhenTheEnvironmentSaysNothingAboutArenas() {
        #expect(MallocArenas.limit(to: 1024, environment: [:]))
        #expect(MallocArenas.limit(to: 1024, environment: ["GLIBC_TUNABLES": "glibc.malloc.check=0", "PATH": "/usr/bin"]))
    }
    #endif
}
