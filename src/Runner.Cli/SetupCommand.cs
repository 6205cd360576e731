using System.Globalization;
using Runner.Sandbox.HostFiles;

namespace Runner.Cli;

/// <summary>
/// <c>runner setup --user NAME</c>, as root: creates a cgroup parent for a rootless user and
/// hands it over, the README's "Rootless use" steps as one command. On cgroup v1 that is a
/// directory per controller, owned by the user (cpuset seeded with its parent's CPUs and memory
/// nodes, which a new cpuset lacks). On cgroup v2 it is a subtree the user owns with the
/// controllers enabled below it and a <c>launcher</c> leaf: v2 lets a process move only between
/// cgroups whose common ancestor it may write, so the user's runner must be started inside that
/// leaf (by root, or by a manager such as systemd with Delegate=yes), and the subtree itself
/// holds no process, as v2's no-internal-process rule requires of a cgroup with controllers.
/// </summary>
internal static class SetupCommand
{
    private static readonly string[] V1Controllers = ["memory", "cpu", "cpuacct", "pids"];
    private static readonly string[] V2Controllers = ["memory", "cpu", "pids"];

    public static int Execute(IReadOnlyList<string> args, CliContext context)
    {
        string? user = null, parent = null, root = "/sys/fs/cgroup";
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            string Value() => inline ?? (++i < args.Count ? args[i] : throw new CliUsageException(name, "expected a value"));
            switch (name)
            {
                case "-h" or "--help":
                    HelpText.Write(context.Out);
                    return ExitCodes.Ok;
                case "--user":
                    user = user is null ? Value() : throw new CliUsageException(name, "given more than once");
                    break;
                case "--cgroup-parent":
                    parent = parent is null ? Value() : throw new CliUsageException(name, "given more than once");
                    break;
                case "--cgroup-root":
                    root = Value();
                    if (!Path.IsPathRooted(root)) throw new CliUsageException(name, $"expected an absolute path, got '{root}'");
                    break;
                default:
                    throw new CliUsageException(args[i], "unexpected argument; 'runner setup' takes --user NAME [--cgroup-parent NAME] [--cgroup-root DIR]");
            }
        }
        if (user is null) throw new CliUsageException("--user", "expected the user who will run runner, by name or uid");
        var (uid, gid, userName) = LookUp(user);
        parent ??= $"runner-{userName}";
        if (parent.Length == 0 || parent.Contains('/') || parent is "." or "..")
            throw new CliUsageException("--cgroup-parent", $"expected one cgroup name such as runner-{userName}, got '{parent}'");
        if (!Environment.IsPrivilegedProcess) throw new CliUsageException(null, "setup: run as root: it creates cgroups and gives them to the user");

        using var output = new StreamWriter(context.Out, CliMain.Utf8, leaveOpen: true) { NewLine = "\n" };
        var ok = File.Exists(Path.Combine(root, "cgroup.controllers"))
            ? SetUpV2(output, root, parent, uid, gid, userName)
            : SetUpV1(output, root, parent, uid, gid, userName);
        if (ok) output.WriteLine($"export RUNNER_CGROUP_PARENT={parent}");
        return ok ? ExitCodes.Ok : ExitCodes.ProgramFailed;
    }

    private static bool SetUpV1(StreamWriter output, string root, string parent, uint uid, uint gid, string userName)
    {
        var ok = true;
        foreach (var controller in V1Controllers.Append("cpuset"))
        {
            var hierarchy = Path.Combine(root, controller);
            var dir = Path.Combine(hierarchy, parent);
            if (!Directory.Exists(hierarchy))
            {
                // cpuset is optional: boxes only need it for --cpuset.
                var required = controller != "cpuset";
                ok &= !required;
                output.WriteLine($"{(required ? "FAIL" : "ok  ")} {controller}: {hierarchy} is not mounted{(required ? "" : "; --cpuset will not work")}");
                continue;
            }
            try
            {
                Directory.CreateDirectory(dir);
                if (controller == "cpuset")
                {
                    // A new cpuset has no CPUs and no memory nodes; a box below it could not run.
                    foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
                        File.WriteAllText(Path.Combine(dir, file), File.ReadAllText(Path.Combine(hierarchy, file)).Trim());
                }
                ChownTree(dir, uid, gid);
                output.WriteLine($"ok   {controller}: {dir} belongs to {userName}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ok = false;
                output.WriteLine($"FAIL {controller}: {dir}: {CliMain.OneLine(e.Message)}");
            }
        }
        return ok;
    }

    private static bool SetUpV2(StreamWriter output, string root, string parent, uint uid, uint gid, string userName)
    {
        var dir = Path.Combine(root, parent);
        var launcher = Path.Combine(dir, "launcher");
        try
        {
            var available = Words(Path.Combine(root, "cgroup.controllers"));
            var missing = V2Controllers.Where(c => !available.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                output.WriteLine($"FAIL cgroup v2: {root} does not offer {string.Join(", ", missing)} (cgroup.controllers: {string.Join(' ', available)}); enable them in the cgroup above it");
                return false;
            }
            var controllers = available.Contains("cpuset") ? [.. V2Controllers, "cpuset"] : V2Controllers;
            Directory.CreateDirectory(launcher);
            Enable(Path.Combine(root, "cgroup.subtree_control"), controllers);
            Enable(Path.Combine(dir, "cgroup.subtree_control"), controllers);
            // The delegation files systemd hands over with Delegate=yes; the other interface files stay root's.
            foreach (var path in new[] { dir, Path.Combine(dir, "cgroup.procs"), Path.Combine(dir, "cgroup.subtree_control"), Path.Combine(dir, "cgroup.threads") })
                FileOwner.GiveNoFollow(path, uid, gid);
            ChownTree(launcher, uid, gid);
            output.WriteLine($"ok   cgroup v2: {dir} belongs to {userName}, with {string.Join(' ', controllers)} enabled for the boxes below it");
            output.WriteLine($"ok   launcher: start {userName}'s runner in {launcher}, e.g. as root: sh -c 'echo $$ > {launcher}/cgroup.procs && exec runuser -u {userName} -- $SHELL'");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"FAIL cgroup v2: {dir}: {CliMain.OneLine(e.Message)}");
            return false;
        }
    }

    private static void Enable(string subtreeControl, IEnumerable<string> controllers)
    {
        var enabled = Words(subtreeControl);
        var missing = controllers.Where(c => !enabled.Contains(c)).Select(c => "+" + c).ToList();
        if (missing.Count > 0) File.WriteAllText(subtreeControl, string.Join(' ', missing));
    }

    private static HashSet<string> Words(string path) =>
        [.. File.ReadAllText(path).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)];

    private static void ChownTree(string dir, uint uid, uint gid)
    {
        FileOwner.GiveNoFollow(dir, uid, gid);
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            FileOwner.GiveNoFollow(entry, uid, gid);
    }

    /// <summary>A name from /etc/passwd, or a uid (its group from /etc/passwd when listed there, else the same number).</summary>
    private static (uint Uid, uint Gid, string Name) LookUp(string user)
    {
        var entries = File.Exists("/etc/passwd") ? File.ReadAllLines("/etc/passwd") : [];
        foreach (var line in entries)
        {
            var f = line.Split(':');
            if (f.Length < 4 || !uint.TryParse(f[2], CultureInfo.InvariantCulture, out var u) || !uint.TryParse(f[3], CultureInfo.InvariantCulture, out var g)) continue;
            if (f[0] == user || f[2] == user) return (u, g, f[0]);
        }
        if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid > 0) return (uid, uid, user);
        throw new CliUsageException("--user", $"no user '{user}' in /etc/passwd; give a name listed there or a uid");
    }
}
