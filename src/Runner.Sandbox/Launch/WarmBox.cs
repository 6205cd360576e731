using Runner.Sandbox.Cgroups;

namespace Runner.Sandbox.Launch;

/// <summary>A prepared box of a <see cref="WarmPool"/>, with the warm slot and cgroup it holds.</summary>
internal sealed class WarmBox(BoxSlot slot, IBoxCgroup cgroup, PreparedBox box, LauncherProcess launcher) : IDisposable
{
    public PreparedBox Box => box;

    /// <summary>Usable while its launcher lives and it still waits for a program.</summary>
    public bool IsUsable => launcher.IsAlive && box.IsUsable;

    public void Dispose()
    {
        box.Dispose();
        cgroup.Dispose();
        slot.Dispose();
    }
}
