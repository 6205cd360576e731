using System.Runtime.Versioning;

// The harness drives qemu, apt and cgroup2: it exists only on Linux.
[assembly: SupportedOSPlatform("linux")]
