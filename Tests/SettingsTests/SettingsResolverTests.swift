import Settings
import Testing

/// The one precedence: the command line over the configuration file over the defaults.
@Suite struct SettingsResolverTests {
    static let file = "store = /srv/store\nstate = /srv/state\nforward = s3://evidence/kiosk\ns3-endpoint = https://s3.example.org\n"

    static func resolve(_ commandLine: CommandLineSettings, text: String = file, requireStore: Bool = false) throws(SettingsError) -> GatewayConfig {
        try SettingsResolver.resolve(commandLine, requireStore: requireStore) { (_: String) throws(ConfigError) in text }
    }

    @Test func theCommandLineWinsOverTheFile() throws {
        let c = try Self.resolve(CommandLineSettings(config: "gw.conf", store: "/cli/store", state: "/cli/state",
                                                     forward: "s3://other/p", s3Region: "eu-1"))
        #expect(c.store == "/cli/store" && c.state == "/cli/state")
        let f = try #require(c.forward)
        // --forward changes bucket and prefix only: the file's endpoint stays.
        #expect(f.bucket == "other" && f.prefix == "p" && f.endpoint == "https://s3.example.org" && f.region == "eu-1")
    }

    @Test func theFileWinsOverTheDefaults() throws {
        let c = try Self.resolve(CommandLineSettings(config: "gw.conf"))
        #expect(c.store == "/srv/store" && c.state == "/srv/state" && c.forward?.bucket == "evidence")
    }

    @Test func withoutAFileTheJournalIsBesideTheStore() throws {
        let c = try Self.resolve(CommandLineSettings(store: "/data/store"))
        #expect(c.state == "/data/state" && c.forward == nil)
    }

    @Test func theForwardKeyAndOptionMergeAlike() throws {
        var byOption = try GatewayConfig(text: "s3-region = r\n", file: "x")
        let merged = byOption.forward(to: "s3://b/p/")
        #expect(merged)
        let byKey = try GatewayConfig(text: "s3-region = r\nforward = s3://b/p/\n", file: "x")
        #expect(byOption == byKey)
        let refused = byOption.forward(to: "http://b/p")
        #expect(!refused)
        #expect(byOption == byKey)
    }

    @Test func errorsSayWhetherTheCommandLineOrTheConfigurationIsWrong() {
        #expect { try Self.resolve(CommandLineSettings(store: "/s", forward: "b/p")) } throws: { error in
            guard case .usage(let e) = error as? SettingsError else { return false }
            return e.description == "--forward b/p is not s3://BUCKET/PREFIX"
        }
        #expect { try Self.resolve(CommandLineSettings(store: "/s", forward: "s3://b/p")) } throws: { error in
            guard case .configuration(let e) = error as? SettingsError else { return false }
            return e.description == "command line: forward needs s3-endpoint = URL"
        }
        #expect { try Self.resolve(CommandLineSettings(config: "gw.conf"), text: "storre = /x\n") } throws: { error in
            guard case .configuration(let e) = error as? SettingsError else { return false }
            return e.file == "gw.conf" && e.line == 1 && e.key == "storre"
        }
        #expect { try Self.resolve(CommandLineSettings(), requireStore: true) } throws: { error in
            guard case .usage(let e) = error as? SettingsError else { return false }
            return e.description == "--store DIR is required (or a config file with store =)"
        }
    }
}

/// `--verify-source`, the command-line twin of `verify-source`.
@Suite struct VerifySourceOptionTests {
    @Test func theOptionWinsOverTheFile() throws {
        var arguments = Arguments(["--config", "gw.conf", "--verify-source", "always"])
        let commandLine = try CommandLineSettings(taking: &arguments)
        let c = try SettingsResolverTests.resolve(commandLine, text: "verify-source = before-release\n")
        #expect(c.verifySource == .always)
        #expect(try SettingsResolverTests.resolve(CommandLineSettings(config: "gw.conf"), text: "verify-source = always\n").verifySource == .always)
    }

    @Test func aBadValueIsAUsageErrorNamingTheOption() {
        #expect { _ = try SettingsResolverTests.resolve(CommandLineSettings(store: "/s", verifySource: "twice")) } throws: { error in
            guard case .usage(let e) = error as? SettingsError else { return false }
            return e.description == "--verify-source twice is not always or before-release"
        }
    }
}
