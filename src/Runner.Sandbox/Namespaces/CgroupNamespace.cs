using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Namespaces;

internal static class CgroupNamespace
{
    /// <summary>
    /// Runs after the child is in its box cgroup (v1: its own first ops, or the parent before
    /// the go byte; v2: from clone), so the namespace is rooted at the box cgroup and not at
    /// the launcher's.
    /// </summary>
    public static void AddChildSteps(SyscallPlan plan) =>
        plan.Add(LaunchStep.CgroupNamespace, "unshare(CLONE_NEWCGROUP)", Sys.Unshare, (long)Flags.CloneNewCgroup);
}
