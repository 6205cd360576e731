using Runner.Sandbox.HostFiles;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// What a box leaves in its host work directory (the judge's and /runs' <see cref="BoxDirectory"/>)
/// must always be removable: a tree deeper than PATH_MAX, names that are not UTF-8, directories
/// the box made unreadable, links to host files. Before, a 40-level tree made the removal throw,
/// the judge's job was retried 20 times and each attempt left its tree in host RAM (/dev/shm).
/// </summary>
[Collection("Attacks")]
public class HostCleanupAttacks(Arena arena)
{
    [Fact]
    public void A_tree_deeper_than_PATH_MAX_that_a_box_leaves_in_its_work_dir_is_removed_from_the_host()
    {
        var root = Arena.NewPublicDirectory("runner-security-cleanup-");
        try
        {
            var box = BoxDirectory.Create(root, "box");
            var r = arena.Run(Arena.Spec(new SandboxLimits { MemoryBytes = 256L << 20 }, arena.Programs.C("deep_tree", """
                int main(int argc, char **argv) {
                    char name[201]; memset(name, 'd', 200); name[200] = 0;
                    for (int i = 0; i < 40; i++) {
                        if (mkdir(name, 0755) || chdir(name)) { perror("mkdir"); return 3; }
                        /* a name that is not UTF-8 and a link to a host file, at every level */
                        close(open("\xff\xfe-not-utf8", O_CREAT | O_WRONLY, 0644));
                        symlink(argv[1], "host-link");
                    }
                    int fd = open("bottom", O_CREAT | O_WRONLY, 0644);
                    static char block[1 << 20];
                    for (int i = 0; i < 8; i++) write(fd, block, sizeof block);
                    close(fd);
                    mkdir("locked", 0); /* unreadable even to its owner */
                    printf("depth %d\n", 40 * 201);
                    return 0;
                }
                """), arena.SentinelFile) with { WorkDir = box.FullPath });
            Expect.Ok(r);

            var error = box.Delete();
            Assert.Null(error);
            Assert.False(Directory.Exists(box.FullPath), "the box's tree is still on the host");
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
            // HostInvariants (in arena.Run) showed the sentinel the links pointed at is untouched.
            HostInvariants.SentinelsUnchanged(arena);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
