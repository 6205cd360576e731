using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Namespaces;

internal static class CgroupNamespace
{
    /// <summary>
    /// Runs after the go byte, i.e. after the parent has moved the child into its box cgroup,
    /// so the namespace is rooted at the box cgroup and not at the launcher's.
    /// </summary>
    public static void AddChildSteps(SyscallPlan plan) =>
        plan.Add(LaunchStep.CgroupNamespace, "unshare(CLONE_NEWCGROUP)", Sys.Unshare, (long)Flags.CloneNewCgroup);
}
