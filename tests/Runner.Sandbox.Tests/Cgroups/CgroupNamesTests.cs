using Runner.Sandbox.Cgroups;

namespace Runner.Sandbox.Tests.Cgroups;

public class CgroupNamesTests
{
    [Theory]
    [InlineData("box-0", 0)]
    [InlineData("box-17", 17)]
    [InlineData("box-", -1)]
    [InlineData("box--1", -1)]
    [InlineData("box-+1", -1)]
    [InlineData("box- 1", -1)]
    [InlineData("box-1a", -1)]
    [InlineData("box-\u0663", -1)]
    [InlineData("box-99999999999", -1)]
    [InlineData("probe-1", -1)]
    public void Only_box_and_ascii_digits_name_a_slot_s_box_cgroup(string name, int slot)
    {
        Assert.Equal(slot >= 0, CgroupNames.TrySlotOf(name, out var found));
        if (slot >= 0) Assert.Equal(slot, found);
        Assert.Equal(slot >= 0, CgroupNames.IsBox(name));
    }
}
