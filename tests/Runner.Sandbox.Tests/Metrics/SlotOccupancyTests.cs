using Runner.Sandbox.Metrics;

namespace Runner.Sandbox.Tests.Metrics;

/// <summary>The slot gauges read who holds which slot from /proc/locks, without touching the locks.</summary>
public sealed class SlotOccupancyTests
{
    [Fact]
    public void Slots_whose_lock_file_another_open_file_holds_are_counted_as_held_and_the_rest_as_free()
    {
        var state = Directory.CreateTempSubdirectory("runner-slot-occupancy-").FullName;
        try
        {
            var slots = Directory.CreateDirectory(Path.Combine(state, "slots")).FullName;
            foreach (var n in new[] { 0, 1, 2 }) File.WriteAllText(Path.Combine(slots, $"{n}.lock"), "");
            Assert.Equal(0, SlotOccupancy.Held(state, 4));

            // FileShare.None is an exclusive flock on Linux, as BoxSlot takes it. Slot 3 has no file yet.
            using (new FileStream(Path.Combine(slots, "0.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            using (new FileStream(Path.Combine(slots, "2.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                Assert.Equal(2, SlotOccupancy.Held(state, 4));
            Assert.Equal(0, SlotOccupancy.Held(state, 4));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
