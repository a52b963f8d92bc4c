import Foundation

// The thin adapter between the pure parser and the machine: the file's bytes, and the memory
// the validation weighs upload bodies against.
extension GatewayConfig {
    /// The configuration file's text.
    ///
    /// - Throws: `ConfigError` naming the file when it cannot be read or is not UTF-8.
    public static func text(ofFile path: String) throws(ConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, key: "", reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 0, key: "", reason: "is not UTF-8")
        }
        return text
    }

    /// The memory this process may have, in bytes: the machine's, or its cgroup's limit when
    /// that is lower (a container or a systemd MemoryMax=); 0 when unknown.
    public static var physicalMemory: Int64 {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        let machine = pages > 0 && size > 0 ? Int64(pages) * Int64(size) : 0
        // cgroup v2 ("max" when unlimited); the process's own cgroup is named in /proc/self/cgroup.
        let cgroup = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) } ?? "/"
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup" + cgroup + "/memory.max", encoding: .utf8),
           let limit = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 {
            return machine > 0 ? min(machine, limit) : limit
        }
        return machine
    }
}
