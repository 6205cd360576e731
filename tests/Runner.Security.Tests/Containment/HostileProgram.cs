using System.Collections.Concurrent;
using System.Diagnostics;

namespace Runner.Security.Tests.Containment;

/// <summary>
/// Hostile programs, compiled on the host but run only inside a box. Each one opens with a
/// guard that refuses to act (exit 99) unless it sees a box: hostname "sandbox" and a pid
/// below 10. A containment failure can then never turn a probe loose on this shared machine.
/// </summary>
internal sealed class HostileProgram(string directory)
{
    public const int RefusedOutsideABox = 99;

    /// <summary>Where <see cref="Directory"/> is bound (read-only) in every box.</summary>
    public const string BoxDirectory = "/probe";

    /// <summary>
    /// Runs before main(), so no probe can skip it. Includes what the probes commonly need.
    /// </summary>
    private const string CPrelude = """
        #define _GNU_SOURCE
        #include <dirent.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <pthread.h>
        #include <sched.h>
        #include <signal.h>
        #include <stddef.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/mman.h>
        #include <sys/resource.h>
        #include <sys/socket.h>
        #include <sys/stat.h>
        #include <sys/syscall.h>
        #include <sys/types.h>
        #include <sys/un.h>
        #include <sys/wait.h>
        #include <time.h>
        #include <unistd.h>
        __attribute__((constructor)) static void runner_box_guard(void)
        {
            char host[65] = { 0 };
            gethostname(host, 64);
            if (strcmp(host, "sandbox") != 0 || getpid() >= 10) {
                fprintf(stderr, "refusing to run outside a box\n");
                _exit(99);
            }
        }
        /* Prints "name result errno"; errno is read after the call (argument order is unspecified). */
        #define TRY(name, call) do { errno = 0; long r_ = (long)(call); printf("%s %ld %d\n", name, r_, errno); } while (0)
        #line 1 "probe.c"

        """;

    /// <summary>Shell guard; the box's /proc/sys/kernel/hostname is its own UTS namespace.</summary>
    public const string ShellPrelude = """
        [ "$(cat /proc/sys/kernel/hostname)" = sandbox ] && [ $$ -lt 10 ] || { echo 'refusing to run outside a box' >&2; exit 99; }

        """;

    public const string PythonPrelude = """
        import os, socket, sys
        if socket.gethostname() != 'sandbox' or os.getpid() >= 10:
            sys.exit(99)

        """;

    private readonly ConcurrentDictionary<string, Lazy<string>> _compiled = new();

    public string Directory { get; } = directory;

    /// <summary>Compiles <paramref name="source"/> (once per name) and returns its path inside the box.</summary>
    public string C(string name, string source)
    {
        var lazy = _compiled.GetOrAdd(name, n => new Lazy<string>(() => Compile(n, source)));
        return lazy.Value;
    }

    private string Compile(string name, string source)
    {
        var c = Path.Combine(Directory, name + ".c");
        var binary = Path.Combine(Directory, name);
        File.WriteAllText(c, CPrelude + source);
        var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O1", "-pthread", "-w", "-o", binary, c])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("cannot start gcc: install gcc (apt-get install gcc)");
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0) throw new InvalidOperationException($"probe {name} does not compile:\n{errors}");
        File.SetUnixFileMode(binary, (UnixFileMode)0x1ed);
        return $"{BoxDirectory}/{name}";
    }
}
