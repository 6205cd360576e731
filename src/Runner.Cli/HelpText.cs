using System.Reflection;

namespace Runner.Cli;

internal static class HelpText
{
    public const string Usage = """
        Usage:
          runner run [options] -- PROGRAM [ARGS...]
          runner check
          runner --help | --version

        Run PROGRAM in a fresh sandbox and report how it ended.

        Limits:
          --time SECONDS         CPU time of the whole box, all processes and threads (default 5)
          --wall-time SECONDS    wall clock (default 2 x time + 1)
          --memory SIZE          memory of the box, tmpfs included (default 256M)
          --pids N               processes + threads (default 64)
          --fsize SIZE           largest file written (default 64M)
          --output-limit SIZE    cap per captured stream; exceeding it is output_limit (default 1M)
          --open-files N         open file descriptors (default 256)
          --stack SIZE           stack size (default: the memory limit)
          --tmpfs-size SIZE      size of /tmp, /dev/shm and a tmpfs /box (default 64M)
          --cpuset CPUS          pin the box to CPUs, e.g. 1 or 0-3,6

        Box:
          --stdin FILE           fed to stdin (default: empty)
          --workdir DIR          host dir mounted read-write at /box (default: a fresh tmpfs)
          --bind SRC[:DST][:rw]  extra bind mount, read-only unless :rw (repeatable)
          --rootfs DIR           root filesystem image (default: host /usr, minimal /etc)
          --env NAME=VALUE       repeatable; otherwise only PATH, HOME=/box, LANG=C.UTF-8
          --seccomp default|none|FILE   syscall filter; FILE is a Docker-format JSON profile
          --hostname NAME        (default sandbox)

        Output:
          --json                 print one JSON result object on stdout instead of the
                                 program's output and the summary line

        SIZE is bytes with an optional K, M, G or T suffix (1024-based), optionally followed by
        B or iB, e.g. 1048576, 256M, 1GiB; fractions are not accepted. SECONDS is a positive
        decimal such as 1 or 0.5. Relative host paths are resolved against the current directory.
        Options may be written --name VALUE or --name=VALUE; only --bind and --env may repeat.

        Exit status:
          0  the program exited 0 within every limit
          1  the program failed or hit a limit (see status)
          2  bad command line, or Runner itself failed (status internal_error)

        Environment (host-wide engine settings):
          RUNNER_CGROUP_PARENT   cgroup, under each hierarchy's root, holding the boxes (default runner)
          RUNNER_FIRST_UID       first host uid/gid of the box range when run as root (default 100000)
          RUNNER_SLOTS           number of concurrent box slots (default 64)
          RUNNER_STATE_DIR       slot locks and mount points (default /run/runner or $XDG_RUNTIME_DIR/runner)

        'runner check' reports what this host supports and exits 0 only if a run can work.
        """;

    public static string Version =>
        typeof(HelpText).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";

    public static void Write(Stream output)
    {
        using var writer = new StreamWriter(output, CliMain.Utf8, leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine(Usage);
    }
}
