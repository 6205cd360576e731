using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Hardening;

/// <summary>
/// The program runs as uid 0 of its user namespace, and execve would hand root a full
/// permitted set again. So: lock the securebits that make uid 0 special, empty the bounding
/// set (what execve may grant), clear ambient, then drop every current capability. The first
/// three only matter at execve, so the box's init does them before it waits for its program
/// (<see cref="AddBoundingSteps"/>) and the program's process inherits them; the init keeps its
/// own capabilities for the run's mounts, and the program's process drops them
/// (<see cref="AddChildSteps"/>).
/// </summary>
internal static unsafe class Capabilities
{
    /// <summary>Above CAP_LAST_CAP (40 on 6.x); PR_CAPBSET_DROP of an unknown cap fails harmlessly.</summary>
    private const int HighestCapability = 63;

    public static void AddBoundingSteps(SyscallPlan plan)
    {
        plan.Add(LaunchStep.Capabilities, "lock securebits (noroot)", Sys.Prctl, Flags.PrSetSecurebits, Flags.SecureBitsLocked);
        for (var cap = 0; cap <= HighestCapability; cap++)
            plan.Add(LaunchStep.Capabilities, $"drop capability {cap} from the bounding set", Sys.Prctl, Flags.PrCapbsetDrop, cap,
                flags: NativeLaunch.CheckNone);
        plan.Add(LaunchStep.Capabilities, "clear ambient capabilities", Sys.Prctl, Flags.PrCapAmbient, Flags.PrCapAmbientClearAll, 0, 0, 0);
    }

    public static void AddChildSteps(SyscallPlan plan)
    {
        // struct __user_cap_header_struct {u32 version; int pid;} + two zeroed data structs.
        var header = (int*)plan.Arena.Allocate(8);
        header[0] = Flags.LinuxCapabilityVersion3;
        var data = (long)plan.Arena.Allocate(24);
        plan.Add(LaunchStep.Capabilities, "capset: drop every capability", Sys.Capset, (long)header, data);
    }
}
