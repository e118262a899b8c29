import ArgumentParser

/// `shop`: the shop's one command. Settings come from the environment (see README).
struct ShopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shop",
        abstract: "A Django-style online shop served by a FastCGI worker pool behind nginx.",
        subcommands: [ServeCommand.self, BareCommand.self, MigrateCommand.self, LoadDemoCommand.self, ClearSessionsCommand.self, CreateSuperuserCommand.self])
}

ShopCommand.main()
