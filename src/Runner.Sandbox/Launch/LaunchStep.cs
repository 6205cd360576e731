namespace Runner.Sandbox.Launch;

/// <summary>
/// The launch steps, in order. A failure in the child reports the plan op's step, so the
/// parent can say which step failed with which errno.
/// </summary>
public enum LaunchStep
{
    Validate,
    Slot,
    Cgroup,
    Seccomp,
    Clone,
    IdMaps,
    CgroupAttach,
    WaitGo,
    Stdio,
    CgroupNamespace,
    Credentials,
    MountPrivate,
    MountRoot,
    MountProc,
    MountDev,
    MountTmp,
    MountBox,
    MountBind,
    MountEtc,
    PivotRoot,
    Hostname,
    Loopback,
    Reaper,
    Rlimits,
    Signals,
    Capabilities,
    NoNewPrivs,
    SeccompLoad,
    Chdir,
    Execve,
    Supervise,
}
