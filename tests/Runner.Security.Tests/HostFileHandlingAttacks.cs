using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Namespaces;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// Every place the engine's host side touches files a box could have shaped: the WorkDir
/// handback (lchown walk), the stdin file, and the WorkDir path itself. Boxes plant symlinks,
/// hard links and FIFOs aimed at the host scratch sentinels; the sentinel check after each run
/// proves the host never followed one. These cases use the single-slot options, so the box's
/// host uid is known (<see cref="Arena.FirstBoxUid"/>): a followed link to the box-owned
/// sentinel would hand it to the work dir's owner and be seen.
/// </summary>
[Collection("Attacks")]
public class HostFileHandlingAttacks(Arena arena)
{
    /// <summary>An owner the box uid is not, so a handback is visible.</summary>
    private const int Owner = 4242;

    private string NewWorkDir()
    {
        var dir = Arena.NewPublicDirectory("runner-security-work-");
        Arena.Chown(dir, Owner, Owner);
        return dir;
    }

    private SandboxResult RunIn(string workDir, string script, string? stdin = null) =>
        arena.Run(new SandboxSpec
        {
            Argv = ["/bin/sh", "-c", HostileProgram.ShellPrelude + script],
            WorkDir = workDir,
            StdinPath = stdin,
            Binds = [new BindMount(arena.Scratch, "/scratch")],
            Limits = new SandboxLimits { CpuTimeSeconds = 2, WallTimeSeconds = 5 },
        }, arena.SingleSlot);

    [Fact]
    public void Symlinks_planted_in_the_work_dir_are_handed_back_without_the_host_following_them()
    {
        var work = NewWorkDir();
        try
        {
            var r = RunIn(work, $"""
                ln -s {arena.SecretFile} secret-link
                ln -s {arena.BoxOwnedSentinel} victim-link
                ln -s {Path.GetDirectoryName(arena.BoxOwnedSentinel)} dir-link
                ln -s / root-link
                mkdir sub && ln -s {arena.Scratch} sub/scratch-link
                """);
            Expect.Ok(r);
            foreach (var link in new[] { "secret-link", "victim-link", "dir-link", "root-link", "sub/scratch-link", "sub" })
            {
                var entry = HostFile.Lstat(Path.Combine(work, link))!;
                Assert.True(entry.Uid == Owner, $"{link} was not handed back: uid {entry.Uid}");
            }
            // The sentinels (the box-owned one included) are checked unchanged by the arena after every run.
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_hard_link_to_a_host_file_cannot_be_made_from_the_box()
    {
        var work = NewWorkDir();
        try
        {
            var r = arena.Run(new SandboxSpec
            {
                Argv = [arena.Programs.C("hardlink", """
                    int main(void) {
                        TRY("link_sentinel", link("/scratch/boxowned/victim", "/box/hard"));
                        TRY("link_secret", link("/scratch/secret.txt", "/box/hard2"));
                        int fd = open("/scratch/sentinel.txt", O_RDONLY);
                        TRY("linkat_empty_path", linkat(fd, "", AT_FDCWD, "/box/hard3", AT_EMPTY_PATH));
                        char path[64]; snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
                        TRY("linkat_proc_fd", linkat(AT_FDCWD, path, AT_FDCWD, "/box/hard4", AT_SYMLINK_FOLLOW));
                        return 0;
                    }
                    """)],
                WorkDir = work,
                Binds = [new BindMount(arena.Scratch, "/scratch")],
            }, arena.SingleSlot);
            Expect.Ok(r);
            foreach (var line in r.Stdout.Trim().Split('\n'))
                Assert.True(line.Split(' ')[1] == "-1", $"a hard link to a host file was made: {line}");
            Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void FIFOs_and_sockets_planted_in_the_work_dir_do_not_block_the_handback()
    {
        var work = NewWorkDir();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = RunIn(work, """
                mkfifo fifo; mkdir -p a/b; mkfifo a/b/fifo
                python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('/box/sock')"
                """);
            Expect.Ok(r);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the handback took too long");
            foreach (var name in new[] { "fifo", "a/b/fifo", "sock" })
                Assert.Equal((uint)Owner, HostFile.Lstat(Path.Combine(work, name))!.Uid);
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_setuid_file_left_in_the_work_dir_loses_its_setuid_bit_when_handed_back()
    {
        var work = NewWorkDir();
        try
        {
            var r = RunIn(work, "cp /bin/true suid && chmod 6755 suid && ls -l suid");
            Expect.Ok(r);
            Assert.Contains("rwsr-sr-x", r.Stdout); // the box did set it
            var left = HostFile.Lstat(Path.Combine(work, "suid"))!;
            Assert.Equal((uint)Owner, left.Uid);
            Assert.False(left.IsSetUid, $"setuid survived the handback: mode {Convert.ToString(left.Mode, 8)}");
            Assert.True((left.Mode & 0x400) == 0, "setgid survived the handback");
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_symlink_planted_by_a_box_and_then_given_as_stdin_is_refused()
    {
        var work = NewWorkDir();
        try
        {
            Expect.Ok(RunIn(work, $"ln -s {arena.SecretFile} input; mkdir d; ln -s {arena.Scratch} dirlink"));
            foreach (var stdin in new[] { Path.Combine(work, "input"), Path.Combine(work, "dirlink", "secret.txt") })
            {
                var r = RunIn(work, "cat", stdin);
                Assert.DoesNotContain(Arena.Secret, r.Stdout);
                Expect.Status(SandboxStatus.InternalError, r);
                Assert.Contains("stdin", r.Message);
            }
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public async Task A_FIFO_planted_by_a_box_and_then_given_as_stdin_does_not_hang_the_worker()
    {
        var work = NewWorkDir();
        try
        {
            Expect.Ok(RunIn(work, "mkfifo input"));
            var fifo = Path.Combine(work, "input");
            var run = Task.Run(() => RunIn(work, "cat", fifo));
            if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(15))) != run)
            {
                using (File.OpenWrite(fifo)) { } // release the stuck open so the suite can go on
                Assert.Fail("the worker blocked opening a FIFO given as stdin");
            }
            var r = await run;
            Expect.Status(SandboxStatus.InternalError, r);
            Assert.Contains("stdin", r.Message);
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_symlink_planted_by_a_box_and_then_given_as_a_bind_source_or_work_dir_is_refused()
    {
        // A judge binding one step's output into the next step, or reusing a dir under it.
        var config = Arena.NewPublicDirectory("runner-security-config-");
        File.WriteAllText(Path.Combine(config, "appsettings.json"), Arena.Secret);
        var work = NewWorkDir();
        try
        {
            Expect.Ok(RunIn(work, $"ln -s {config} out; mkdir real; ln -s {config} real/inner"));
            var sources = new[] { Path.Combine(work, "out"), Path.Combine(work, "out", "."), Path.Combine(work, "real", "inner") };
            foreach (var source in sources)
            {
                var bound = arena.Run(new SandboxSpec
                {
                    Argv = ["/bin/sh", "-c", "cat /data/appsettings.json"],
                    Binds = [new BindMount(source, "/data")],
                }, arena.SingleSlot);
                Assert.DoesNotContain(Arena.Secret, bound.Stdout);
                Expect.Status(SandboxStatus.InternalError, bound);
                Assert.Contains("symlink", bound.Message);

                var asWork = RunIn(source, "cat appsettings.json; touch pwned");
                Assert.DoesNotContain(Arena.Secret, asWork.Stdout);
                Expect.Status(SandboxStatus.InternalError, asWork);
            }
            Assert.Equal(["appsettings.json"], Directory.EnumerateFileSystemEntries(config).Select(Path.GetFileName));
            Assert.Equal(0u, HostFile.Lstat(config)!.Uid); // never handed to the box
        }
        finally
        {
            Directory.Delete(work, true);
            Directory.Delete(config, true);
        }
    }

    [Fact]
    public void A_stdin_file_swapped_for_a_symlink_while_the_host_opens_it_never_yields_the_host_file()
    {
        var work = NewWorkDir();
        var input = Path.Combine(work, "input");
        // There from the start: a stdin that does not exist yet is the caller's mistake (a spec
        // error), not the race this case is about.
        File.WriteAllText(input, "public input\n");
        var stop = false;
        var racer = new Thread(() =>
        {
            // Stands in for a box process racing the worker (none survives; the daemon cases prove it).
            while (!Volatile.Read(ref stop))
            {
                try
                {
                    File.WriteAllText(input + ".file", "public input\n");
                    File.Move(input + ".file", input, true);
                    File.CreateSymbolicLink(input + ".link", arena.SecretFile);
                    File.Move(input + ".link", input, true);
                }
                catch (IOException) { }
            }
        });
        racer.Start();
        try
        {
            var outcomes = new HashSet<SandboxStatus>();
            for (var i = 0; i < 30; i++)
            {
                var r = arena.Run(new SandboxSpec { Argv = ["/bin/cat"], StdinPath = input }, arena.SingleSlot);
                Assert.DoesNotContain(Arena.Secret, r.Stdout);
                Expect.StatusIn(r, SandboxStatus.Ok, SandboxStatus.InternalError);
                outcomes.Add(r.Status);
            }
            Assert.Contains(SandboxStatus.InternalError, outcomes); // the racer did hit the open
        }
        finally
        {
            Volatile.Write(ref stop, true);
            racer.Join();
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_work_dir_that_is_a_symlink_is_refused_and_its_target_is_not_handed_to_the_box()
    {
        var target = Path.GetDirectoryName(arena.BoxOwnedSentinel)!;
        var link = Path.Combine(Path.GetTempPath(), $"runner-security-worklink-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, target);
        try
        {
            var r = RunIn(link, "touch pwned");
            Expect.Status(SandboxStatus.InternalError, r);
            Assert.False(File.Exists(Path.Combine(target, "pwned")));
        }
        finally
        {
            File.Delete(link);
        }
    }

    /// <summary>
    /// No box process survives to race the handback (the daemon cases prove that), so the racer
    /// here is a host thread standing in for one: it keeps swapping directories of the work dir
    /// for symlinks to the box-owned sentinel's directory while the walk runs.
    /// </summary>
    [Fact]
    public void A_directory_swapped_for_a_symlink_while_the_host_walks_the_work_dir_is_never_followed()
    {
        var work = NewWorkDir();
        var boxUid = (uint)Arena.FirstBoxUid;
        var decoy = Path.GetDirectoryName(arena.BoxOwnedSentinel)!;
        var stop = false;
        try
        {
            const int dirs = 64;
            for (var i = 0; i < dirs; i++)
            {
                var d = Path.Combine(work, $"d{i}");
                Directory.CreateDirectory(d);
                File.WriteAllText(Path.Combine(d, "victim"), "box file");
            }
            var racer = new Thread(() =>
            {
                while (!Volatile.Read(ref stop))
                    for (var i = 0; i < dirs; i++)
                    {
                        var d = Path.Combine(work, $"d{i}");
                        try
                        {
                            Directory.Move(d, d + ".real");
                            File.CreateSymbolicLink(d, decoy);
                            File.Delete(d);
                            Directory.Move(d + ".real", d);
                        }
                        catch (IOException) { }
                    }
            });
            racer.Start();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                // What a box leaves behind: everything owned by its uid.
                foreach (var entry in Directory.EnumerateFileSystemEntries(work, "*", SearchOption.AllDirectories))
                    try { Arena.Chown(entry, (int)boxUid, (int)boxUid); } catch (IOException) { }
                var handBack = WorkDirOwnership.HandToBox(work, new BoxIdentity(boxUid, boxUid, true))!;
                handBack.Restore();
                var victim = HostFile.Lstat(arena.BoxOwnedSentinel)!;
                Assert.True(victim.Uid == boxUid, $"the handback followed a swapped-in symlink and chowned {arena.BoxOwnedSentinel} to {victim.Uid}");
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            Thread.Sleep(50);
            Arena.Chown(arena.BoxOwnedSentinel, Arena.FirstBoxUid, Arena.FirstBoxUid);
            Directory.Delete(work, true);
        }
        HostInvariants.SentinelsUnchanged(arena);
    }
}
