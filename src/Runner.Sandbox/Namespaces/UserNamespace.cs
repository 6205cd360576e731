using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Namespaces;

/// <summary>
/// Root inside the box is one unprivileged host uid/gid: the slot's own uid when the launcher
/// is root, or the launcher's uid when it is not (rootless).
/// </summary>
internal static class UserNamespace
{
    /// <summary>
    /// Parent side, between clone and the go byte. A privileged launcher writes "allow" to
    /// setgroups so the child can clear its supplementary groups; "deny" would leave the
    /// launcher's groups in the box. Unprivileged launchers must write "deny" first.
    /// </summary>
    public static void WriteIdMapsFromParent(int pid, BoxIdentity identity)
    {
        System.IO.File.WriteAllText($"/proc/{pid}/uid_map", $"0 {identity.HostUid} 1\n");
        System.IO.File.WriteAllText($"/proc/{pid}/setgroups", identity.Privileged ? "allow" : "deny");
        System.IO.File.WriteAllText($"/proc/{pid}/gid_map", $"0 {identity.HostGid} 1\n");
    }

    /// <summary>Child side: until these calls the child still runs with the launcher's ids.</summary>
    public static void AddChildSteps(SyscallPlan plan, BoxIdentity identity)
    {
        if (identity.Privileged)
            plan.Add(LaunchStep.Credentials, "setgroups(0, NULL)", Sys.SetGroups, 0, 0);
        plan.Add(LaunchStep.Credentials, "setresgid(0, 0, 0)", Sys.SetResGid, 0, 0, 0);
        plan.Add(LaunchStep.Credentials, "setresuid(0, 0, 0)", Sys.SetResUid, 0, 0, 0);
    }
}

/// <summary>The host ids that root inside one box maps to.</summary>
internal sealed record BoxIdentity(uint HostUid, uint HostGid, bool Privileged);
