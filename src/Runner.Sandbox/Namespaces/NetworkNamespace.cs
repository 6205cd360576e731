using Runner.Sandbox.Launch;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Namespaces;

/// <summary>A fresh network namespace has only a down loopback; the box gets it up and nothing else.</summary>
internal static unsafe class NetworkNamespace
{
    public static void AddChildSteps(SyscallPlan plan)
    {
        // struct ifreq: 16-byte name, then the flags (short) of the union.
        var ifreq = plan.Arena.Allocate(40);
        ifreq[0] = (byte)'l';
        ifreq[1] = (byte)'o';
        *(short*)(ifreq + 16) = (short)(Flags.IffUp | Flags.IffRunning);
        plan.Add(LaunchStep.Loopback, "socket(AF_INET, SOCK_DGRAM)", Sys.Socket, Flags.AfInet, Flags.SockDgram | Flags.SockCloexec, 0,
            flags: NativeLaunch.StoreResult);
        plan.Add(LaunchStep.Loopback, "ioctl(SIOCSIFFLAGS, lo up)", Sys.Ioctl, 0, Flags.SiocSifflags, (long)ifreq,
            flags: NativeLaunch.Arg0FromRegister);
        plan.Add(LaunchStep.Loopback, "close the socket", Sys.Close, 0, flags: NativeLaunch.Arg0FromRegister);
    }
}
