return Runner.Cli.CliMain.Run(args);
