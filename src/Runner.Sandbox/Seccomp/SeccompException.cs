namespace Runner.Sandbox.Seccomp;

/// <summary>A seccomp profile could not be read, validated or compiled. The message names the offending field.</summary>
public sealed class SeccompException : Exception
{
    public SeccompException(string message) : base(message) { }

    public SeccompException(string message, Exception inner) : base(message, inner) { }
}
