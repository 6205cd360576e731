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

    public static void ValidateParent(string parent)
    {
        if (string.IsNullOrEmpty(parent) || parent.StartsWith('/') || parent.Contains('\0')
            || parent.Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new ArgumentException($"invalid cgroup parent '{parent}': a relative path such as 'runner'", nameof(parent));
        }
    }
}
