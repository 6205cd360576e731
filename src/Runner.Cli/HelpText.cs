using System.Reflection;

namespace Runner.Cli;

internal static class HelpText
{
    public const string Usage = """
        Usage:
          runner run [options] -- PROGRAM [ARGS...]
          runner judge --language ID --source FILE --tests DIR [judge options]
          runner languages [--json] [--rootfs DIR] [--languages FILE]
          runner check
          runner setup --user NAME [--cgroup-parent NAME] [--cgroup-root DIR]
          runner engine [--socket PATH] [--warm-boxes N]
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
          RUNNER_SLOTS           concurrent boxes on this host (default: one per core)
          RUNNER_STATE_DIR       slot locks and mount points (default /run/runner or $XDG_RUNTIME_DIR/runner)
          RUNNER_LAUNCHER        clone boxes from runner-launcher (process, default) or from runner itself (in-process)
          RUNNER_ENGINE          'runner run' hands its run to the resident 'runner engine' listening in the state
                                 directory if there is one (default), to the one at this socket path, or never (off)

        Judge options ('runner judge'; see README.md, section "Judging"):
          --language ID          a language id from 'runner languages'
          --source FILE          the submission's source
          --tests DIR            NAME.in with NAME.out or NAME.ans, run in natural order
          --time SECONDS         CPU time per test (default 2)
          --wall-time SECONDS    wall clock per test (default 2 x time + 1)
          --memory SIZE          memory per test, before the language's headroom (default 256M)
          --output-limit SIZE    stdout cap per test (default 16M)
          --checker exact|lines|tokens|float[:EPS]|FILE   (default lines); FILE is a testlib-style
                                 checker source (.cpp, .c or .py) compiled and run in the sandbox
          --interactor FILE      an interactive problem's testlib-style interactor (.cpp, .c or .py), piped
                                 to the submission in a box of its own; it decides each test
          --stop-on-failure      stop at the first test that is not accepted
          --rootfs DIR           root filesystem image for every box (rootfs/README.md)
          --languages FILE       languages file merged over the built-in ones (or RUNNER_LANGUAGES)
          --json                 print the report as one JSON object (verdict, score, compile, tests)
          Exit status: 0 accepted, 1 any other verdict, 2 bad usage or internal_error.

        'runner check' reports what this host supports and exits 0 only if a run can work.
        'runner engine' stays resident with boxes prepared ahead (default: one per core) and runs what
        'runner run' hands it, until SIGINT or SIGTERM; it listens on STATE_DIR/engine.sock by default.
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
