namespace Runner.Sandbox.Cgroups;

/// <summary>Checks the box and parent names before they become cgroup paths.</summary>
internal static class CgroupNames
{
    public static void ValidateBox(string name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
        {
            throw new ArgumentException($"invalid box cgroup name '{name}'", nameof(name));
        }
    }

    /// <summary>The name of slot <paramref name="slot"/>'s box cgroup.</summary>
    public static string Box(int slot) => $"box-{slot}";

    /// <summary>A slot's box cgroup name (box-N), as opposed to e.g. runner check's probe.</summary>
    public static bool IsBox(string name) => TrySlotOf(name, out _);

    public static bool TrySlotOf(string name, out int slot)
    {
        slot = -1;
        // NumberStyles.None takes digits only (no sign, space or separator); no LINQ on the
        // CLI's start-up path, where the orphan sweep calls this.
        return name.StartsWith("box-", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out slot);
    }

    public static void ValidateParent(string parent) => new SandboxOptions { CgroupParent = parent }.Validate();
}
