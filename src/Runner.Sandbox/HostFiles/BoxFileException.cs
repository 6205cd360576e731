using Runner.Sandbox.Native;

namespace Runner.Sandbox.HostFiles;

/// <summary>
/// A host-side file operation on a box directory was refused or failed, for example because the
/// box left a symlink, a FIFO or an oversized file where the host expected a regular file.
/// </summary>
public sealed class BoxFileException(string message) : IOException(message)
{
    internal static BoxFileException FromErrno(string call, string path) =>
        new($"{call} '{path}': {ErrnoName.Describe(Libc.Errno)}");
}
