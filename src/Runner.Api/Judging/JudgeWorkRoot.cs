using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Judge;
using Runner.Sandbox.HostFiles;

namespace Runner.Api.Judging;

/// <summary>
/// This process's own directory for judge sessions, w-PID-NONCE under the judge work root,
/// beside a lock file the process holds (flock, through FileShare.None) for as long as it
/// lives. A worker killed with SIGKILL cannot remove its sessions; the kernel drops its lock,
/// and the next worker to start on the host finds the unlocked file and removes the directory.
/// Several worker processes share one work root, so a live one's directory is never touched.
/// </summary>
public sealed class JudgeWorkRoot(IOptions<RunnerOptions> options, ILogger<JudgeWorkRoot> logger) : IDisposable
{
    private const UnixFileMode SearchableByBoxes = (UnixFileMode)0b111_101_101;
    private readonly Lock _gate = new();
    private FileStream? _lock;
    private string? _path;

    /// <summary>Where this process's sessions go; created (after a sweep of dead processes' directories) on first use.</summary>
    public string Path
    {
        get
        {
            lock (_gate)
                return _path ??= Create();
        }
    }

    private string Parent => options.Value.WorkRoot is { } root ? System.IO.Path.Combine(root, "judge") : new JudgeOptions().WorkRoot;

    private string Create()
    {
        // Checked like every work root: owned by this uid, closed to others, nothing above it
        // that another uid could rename (see WorkRoot).
        var parent = WorkRoot.Prepare(Parent);
        Sweep(parent);
        for (var tries = 0; ; tries++)
        {
            var name = $"w-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
            try
            {
                _lock = new FileStream(System.IO.Path.Combine(parent, name + ".lock"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (tries < 3)
            {
                // A sweeper took the new file's lock before we did; pick another name.
                continue;
            }
            var path = System.IO.Path.Combine(parent, name);
            Directory.CreateDirectory(path, SearchableByBoxes);
            return path;
        }
    }

    /// <summary>Removes the directories of processes that no longer hold their lock; returns how many.</summary>
    public int Sweep(string parent)
    {
        var removed = 0;
        foreach (var lockFile in Directory.EnumerateFiles(parent, "w-*.lock"))
        {
            try
            {
                using var held = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                var directory = lockFile[..^".lock".Length];
                // Directory.Delete removes a symlink it meets instead of following it.
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
                File.Delete(lockFile);
                removed++;
                logger.LogWarning("Removed {Directory}: judge sessions left behind by a worker that died", directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Locked: its process is alive. Or it vanished under another sweeper.
            }
        }
        return removed;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_path is not null && Directory.Exists(_path))
            {
                try
                {
                    Directory.Delete(_path, recursive: true);
                    File.Delete(_path + ".lock");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
            _lock?.Dispose();
        }
    }
}
