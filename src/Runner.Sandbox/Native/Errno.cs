namespace Runner.Sandbox.Native;

/// <summary>The errno values (asm-generic/errno-base.h, errno.h) the engine branches on.</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EAGAIN = 11, EACCES = 13, EBUSY = 16, EEXIST = 17;
    public const int EXDEV = 18, EISDIR = 21, EINVAL = 22, EROFS = 30, ERANGE = 34, ENOSYS = 38, ELOOP = 40;
    public const int EPIPE = 32, ECONNRESET = 104;
}
