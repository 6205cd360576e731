namespace Runner.Sandbox.Native;

/// <summary>Kernel flags the plan builder packs into syscall arguments, as longs (x86-64). Checked against the C headers by a test.</summary>
internal static class Flags
{
    // clone(2) / unshare(2)
    public const ulong CloneNewNs = 0x00020000, CloneNewCgroup = 0x02000000, CloneNewUts = 0x04000000;
    public const ulong CloneNewIpc = 0x08000000, CloneNewUser = 0x10000000, CloneNewPid = 0x20000000;
    public const ulong CloneNewNet = 0x40000000;

    // mount(2)
    public const long MsRdonly = 1, MsNosuid = 2, MsNodev = 4, MsNoexec = 8, MsRemount = 32;
    public const long MsBind = 4096, MsRec = 16384, MsPrivate = 1 << 18;
    public const long MntDetach = 2;

    // open_tree(2), move_mount(2), mount_setattr(2)
    public const long OpenTreeClone = 1, AtRecursive = 0x8000, MoveMountFEmptyPath = 4;
    public const long MountAttrNosuid = 2, MountAttrNodev = 4;

    // open(2), *at(2)
    public const long AtFdcwd = -100;
    public const long OWronly = 1, OCreat = 0x40, OExcl = 0x80, OCloexec = 0x80000;
    public const long SIfreg = 0x8000;

    // socket(2), netdevice(7)
    public const long AfInet = 2, SockDgram = 2, SockCloexec = 0x80000;
    public const long SiocSifflags = 0x8914;
    public const short IffUp = 0x1, IffRunning = 0x40;

    // prctl(2), capabilities(7)
    public const long PrSetNoNewPrivs = 38, PrCapbsetDrop = 24, PrCapAmbient = 47, PrCapAmbientClearAll = 4;
    public const long PrSetSecurebits = 28, PrSetDumpable = 4, PrSetPdeathsig = 1;
    public const int LinuxCapabilityVersion3 = 0x20080522;
    /// <summary>SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED and their locks.</summary>
    public const long SecureBitsLocked = 0x2f;

    // seccomp(2)
    public const long SeccompSetModeFilter = 1;

    // signals
    public const long SigSetMask = 2;

    // clock_gettime(2)
    public const long ClockProcessCputimeId = 2;

    // resources
    public const int RlimitCpu = 0, RlimitFsize = 1, RlimitStack = 3, RlimitCore = 4, RlimitNofile = 7;
    public const int RlimitMemlock = 8, RlimitSigpending = 11, RlimitMsgqueue = 12, RlimitNice = 13, RlimitRtprio = 14;
}
