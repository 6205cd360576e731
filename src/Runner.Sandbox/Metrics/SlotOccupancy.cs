using System.Globalization;
using Runner.Sandbox.HostFiles;

namespace Runner.Sandbox.Metrics;

/// <summary>
/// Which box slots some process holds, read from /proc/locks rather than by trying the locks:
/// a probe that took a slot's lock, even for a moment, could make a real launch skip or wait.
/// /proc/locks lists every flock with its file as MAJOR:MINOR:INODE (hex device numbers).
/// </summary>
internal static class SlotOccupancy
{
    public static int Held(string stateDirectory, int slotCount)
    {
        var locked = new HashSet<(uint Major, uint Minor, ulong Inode)>();
        foreach (var line in File.ReadLines("/proc/locks"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; a blocked waiter's line starts with "1: ->".
            if (fields.Length < 6 || fields[1] != "FLOCK") continue;
            var file = fields[5].Split(':');
            if (file.Length == 3
                && uint.TryParse(file[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var major)
                && uint.TryParse(file[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var minor)
                && ulong.TryParse(file[2], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                locked.Add((major, minor, inode));
        }
        var held = 0;
        for (var slot = 0; slot < slotCount; slot++)
        {
            if (FileStatus.OfPathNoFollow(Path.Combine(stateDirectory, "slots", $"{slot}.lock")) is not { } status) continue;
            if (locked.Contains((Major(status.Device), Minor(status.Device), status.Inode))) held++;
        }
        return held;
    }

    // glibc's gnu_dev_major/minor: the kernel's 12-bit major and 20-bit minor, split across st_dev.
    private static uint Major(ulong dev) => (uint)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL));

    private static uint Minor(ulong dev) => (uint)((dev & 0xff) | ((dev >> 12) & ~0xffUL));
}
