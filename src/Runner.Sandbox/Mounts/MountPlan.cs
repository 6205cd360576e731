using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Mounts;

/// <summary>
/// The box's filesystem as a list of typed ops (bind, tmpfs, proc, dir, symlink, file),
/// built first and compiled later into syscalls that the child runs under the new root's
/// mount point, before pivot_root. Box paths are absolute ("/usr"); they are joined to the
/// new root when compiled.
/// </summary>
internal sealed class MountPlan
{
    internal abstract record Op(string BoxPath);
    internal sealed record Bind(string Source, string BoxPath, bool Writable, bool IsFile, bool Device = false) : Op(BoxPath);
    internal sealed record Tmpfs(string BoxPath, string Options, long Flags) : Op(BoxPath);
    internal sealed record Proc(string BoxPath) : Op(BoxPath);
    internal sealed record Dir(string BoxPath, int Mode) : Op(BoxPath);
    internal sealed record Symlink(string Target, string BoxPath) : Op(BoxPath);
    internal sealed record File(string BoxPath, byte[] Content) : Op(BoxPath);
    /// <summary>Makes an already mounted box path read-only (e.g. /proc/sys).</summary>
    internal sealed record ReadOnly(string BoxPath) : Op(BoxPath);
    /// <summary>Remounts an existing mount point read-only once it is populated (e.g. /dev).</summary>
    internal sealed record Seal(string BoxPath, long Flags) : Op(BoxPath);

    private readonly List<(Op Op, LaunchStep Step)> _ops = [];

    public IReadOnlyList<(Op Op, LaunchStep Step)> Ops => _ops;

    public MountPlan Add(Op op, LaunchStep step)
    {
        _ops.Add((op, step));
        return this;
    }

    public MountPlan BindReadOnly(string source, string boxPath, LaunchStep step = LaunchStep.MountRoot) =>
        Add(new Bind(source, boxPath, false, !Directory.Exists(source)), step);

    public MountPlan BindWritable(string source, string boxPath, LaunchStep step = LaunchStep.MountBind) =>
        Add(new Bind(source, boxPath, true, !Directory.Exists(source)), step);

    /// <summary>
    /// Adds the missing parent directories of <paramref name="boxPath"/>, so a bind can go
    /// anywhere in the box's own filesystem (/srv/data, /opt/x/y), as the CLI's default
    /// destination (the source's own path) needs. They are made only in the box's root tmpfs or
    /// in a tmpfs the plan mounts; a parent inside a bind from the host or the rootfs image is
    /// never created (that would write to the host, or fail on a read-only mount), so it must
    /// already exist there. Symlinks the plan makes (/bin -> usr/bin) are followed as the
    /// kernel will follow them when mounting.
    /// </summary>
    /// <exception cref="SandboxSpecException">A parent cannot be made (field "bind").</exception>
    public void AddParentsOf(string boxPath, LaunchStep step)
    {
        var path = boxPath;
        for (var hops = 0; ; hops++)
        {
            if (hops > 8) throw new SandboxSpecException("bind", $"bind target '{boxPath}': too many symlinks in the box's path");
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            string? resolved = null;
            var current = "";
            for (var i = 0; i < parts.Length - 1 && resolved is null; i++)
            {
                var parent = current;
                current += "/" + parts[i];
                var rest = string.Join('/', parts[(i + 1)..]);
                switch (Find(current))
                {
                    case Symlink link:
                        resolved = (link.Target.StartsWith('/') ? link.Target : parent + "/" + link.Target).TrimEnd('/') + "/" + rest;
                        break;
                    case Dir or Tmpfs or Proc or Bind { IsFile: false }:
                        break;
                    case File or Bind:
                        throw new SandboxSpecException("bind", $"bind target '{boxPath}': '{current}' is a file in the box");
                    default:
                        switch (MountAbove(current))
                        {
                            case null or Tmpfs:
                                Add(new Dir(current, 0x1ed), step);
                                break;
                            case Bind host when Directory.Exists(host.Source + current[host.BoxPath.Length..]):
                                break;
                            case Bind host:
                                throw new SandboxSpecException("bind", $"bind target '{boxPath}': '{current}' does not exist in the box, and it would be " +
                                    $"inside '{host.BoxPath}', which is bound from the host's '{host.Source}' and never changed");
                            case var other:
                                throw new SandboxSpecException("bind", $"bind target '{boxPath}': '{current}' does not exist in the box, and nothing is created inside '{other.BoxPath}'");
                        }
                        break;
                }
            }
            if (resolved is null) return;
            path = resolved;
        }
    }

    /// <summary>The op the plan so far has at exactly <paramref name="boxPath"/>; the latest wins, as the latest mount covers the others.</summary>
    private Op? Find(string boxPath) => _ops.Select(o => o.Op).LastOrDefault(o => o.BoxPath == boxPath);

    /// <summary>The innermost directory mount whose tree holds <paramref name="boxPath"/>, or null for the root tmpfs.</summary>
    private Op? MountAbove(string boxPath) => _ops.Select(o => o.Op)
        .Where(o => o is Tmpfs or Proc or Bind { IsFile: false } && boxPath.StartsWith(o.BoxPath.TrimEnd('/') + "/", StringComparison.Ordinal))
        .OrderBy(o => o.BoxPath.Length)
        .LastOrDefault();

    /// <summary>Emits the ops; <paramref name="newRoot"/> is the host path where the box root tmpfs is mounted.</summary>
    public void Compile(SyscallPlan plan, string newRoot)
    {
        var arena = plan.Arena;
        foreach (var (op, step) in _ops)
        {
            var target = arena.String(newRoot + op.BoxPath);
            switch (op)
            {
                case Dir d:
                    plan.Add(step, $"mkdir {d.BoxPath}", Sys.Mkdirat, Flags.AtFdcwd, target, d.Mode);
                    break;
                case Symlink s:
                    plan.Add(step, $"symlink {s.BoxPath} -> {s.Target}", Sys.Symlinkat, arena.String(s.Target), Flags.AtFdcwd, target);
                    break;
                case File f:
                    plan.Add(step, $"create {f.BoxPath}", Sys.Openat, Flags.AtFdcwd, target,
                        Flags.OWronly | Flags.OCreat | Flags.OExcl | Flags.OCloexec, 0x1a4, flags: NativeLaunch.StoreResult);
                    plan.Add(step, $"write {f.BoxPath}", Sys.Write, 0, arena.Bytes(f.Content), f.Content.Length,
                        flags: NativeLaunch.Arg0FromRegister | NativeLaunch.CheckEqual, expect: f.Content.Length);
                    plan.Add(step, $"close {f.BoxPath}", Sys.Close, 0, flags: NativeLaunch.Arg0FromRegister);
                    break;
                case Tmpfs t:
                    plan.Add(step, $"mkdir {t.BoxPath}", Sys.Mkdirat, Flags.AtFdcwd, target, 0x1ed, flags: NativeLaunch.CheckNone);
                    plan.Add(step, $"mount tmpfs on {t.BoxPath}", Sys.Mount, arena.String("tmpfs"), target, arena.String("tmpfs"),
                        t.Flags, arena.String(t.Options));
                    break;
                case Proc p:
                    plan.Add(step, $"mkdir {p.BoxPath}", Sys.Mkdirat, Flags.AtFdcwd, target, 0x16d, flags: NativeLaunch.CheckNone);
                    // hidepid=invisible: the box's pid 1 is a fork of its launcher (no execve): of
                    // runner-launcher, or of the worker itself when cloned in-process, whose
                    // /proc/1/cmdline would show the worker's command line, connection strings and
                    // all. It is not dumpable, so hidepid hides it from the program; the program's
                    // own processes stay visible (found by the security suite).
                    plan.Add(step, $"mount proc on {p.BoxPath}", Sys.Mount, arena.String("proc"), target, arena.String("proc"),
                        Flags.MsNosuid | Flags.MsNodev | Flags.MsNoexec, arena.String("hidepid=invisible"));
                    break;
                case Bind b:
                    if (b.IsFile)
                        plan.Add(step, $"create mount point {b.BoxPath}", Sys.Mknodat, Flags.AtFdcwd, target, Flags.SIfreg | 0x1a4, 0,
                            flags: NativeLaunch.CheckNone);
                    else
                        plan.Add(step, $"mkdir {b.BoxPath}", Sys.Mkdirat, Flags.AtFdcwd, target, 0x1ed, flags: NativeLaunch.CheckNone);
                    plan.Add(step, $"bind {b.Source} on {b.BoxPath}", Sys.Mount, arena.String(b.Source), target, 0,
                        Flags.MsBind | Flags.MsRec, 0);
                    // Device binds (/dev/null...) must keep device access; everything else is nodev.
                    var remount = Flags.MsBind | Flags.MsRemount | Flags.MsNosuid
                        | (b.Device ? Flags.MsNoexec : Flags.MsNodev) | (b.Writable ? 0 : Flags.MsRdonly);
                    plan.Add(step, $"remount {b.BoxPath} {(b.Writable ? "read-write" : "read-only")}, nosuid, nodev",
                        Sys.Mount, 0, target, 0, remount, 0);
                    break;
                case ReadOnly r:
                    plan.Add(step, $"bind {r.BoxPath} on itself", Sys.Mount, target, target, 0, Flags.MsBind | Flags.MsRec, 0);
                    plan.Add(step, $"remount {r.BoxPath} read-only", Sys.Mount, 0, target, 0,
                        Flags.MsBind | Flags.MsRemount | Flags.MsRdonly | Flags.MsNosuid | Flags.MsNodev | Flags.MsNoexec, 0);
                    break;
                case Seal z:
                    plan.Add(step, $"remount {z.BoxPath} read-only", Sys.Mount, 0, target, 0,
                        Flags.MsBind | Flags.MsRemount | Flags.MsRdonly | z.Flags, 0);
                    break;
                default:
                    throw new InvalidOperationException($"unknown mount op {op}");
            }
        }
    }
}
