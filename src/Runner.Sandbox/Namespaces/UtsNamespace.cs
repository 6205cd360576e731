using System.Text;
using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Namespaces;

internal static class UtsNamespace
{
    public static void AddChildSteps(SyscallPlan plan, string hostname) =>
        plan.Add(LaunchStep.Hostname, $"sethostname({hostname})", Sys.SetHostname, plan.Arena.String(hostname),
            Encoding.UTF8.GetByteCount(hostname));
}
