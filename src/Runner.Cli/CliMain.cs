namespace Runner.Cli;

internal static class CliMain
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("runner: not implemented yet");
        return 2;
    }
}
