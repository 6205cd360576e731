namespace Runner.Sandbox.Launch;

/// <summary>
/// The pipes of one run: the error pipe (the run plan's failures, EOF at execve) and the
/// program's stdout and stderr; the read ends are non-blocking for the supervisor. A warm box
/// has its own made ahead (<see cref="WarmBox"/>); they are fresh for each box, as the box is.
/// </summary>
/// <param name="StdoutRead">-1 with no stdout captured (a connected box writes into its partner).</param>
internal sealed record RunPipes(int ErrorRead, int ErrorWrite, int StdoutRead, int StdoutWrite, int StderrRead, int StderrWrite)
{
    /// <param name="stdoutWrite">The stdout given to the program instead of a pipe of its own, or -1.</param>
    public static RunPipes Open(FdSet fds, int stdoutWrite = -1)
    {
        var (errorRead, errorWrite) = fds.Pipe();
        var (stdoutRead, stdoutEnd) = stdoutWrite < 0 ? fds.Pipe() : (-1, stdoutWrite);
        var (stderrRead, stderrWrite) = fds.Pipe();
        fds.SetNonBlocking(errorRead);
        if (stdoutRead >= 0) fds.SetNonBlocking(stdoutRead);
        fds.SetNonBlocking(stderrRead);
        return new RunPipes(errorRead, errorWrite, stdoutRead, stdoutEnd, stderrRead, stderrWrite);
    }

    /// <summary>Each pipe end, for handing them from one <see cref="FdSet"/> to another.</summary>
    public int[] All => [ErrorRead, ErrorWrite, StdoutRead, StdoutWrite, StderrRead, StderrWrite];
}
