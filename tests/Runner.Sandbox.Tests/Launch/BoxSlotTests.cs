using Runner.Sandbox.Launch;

namespace Runner.Sandbox.Tests.Launch;

/// <summary>
/// Waiting for a box slot: flock(2) cannot wake a waiter, so a waiter polls; a slot freed in this
/// process wakes it at once. A poll of ten minutes makes the difference plain without timing anything.
/// In the box tests' collection, one test at a time: a waiter runs a queued teardown of this
/// process before it sleeps, and beside other classes' boxes that could be theirs (a fresh-clone
/// run failed once with the waiter not done 30 s after the release).
/// </summary>
[Collection("Boxes")]
public sealed class BoxSlotTests : IDisposable
{
    private static readonly TimeSpan NeverPolls = TimeSpan.FromMinutes(10);
    private readonly string _state = Directory.CreateTempSubdirectory("runner-box-slot-").FullName;
    private readonly SandboxOptions _oneSlot = new() { SlotCount = 1 };

    [Fact]
    public async Task A_slot_freed_in_this_process_wakes_a_launch_waiting_for_it_without_waiting_for_the_poll()
    {
        var held = BoxSlot.Acquire(_oneSlot, _state, TimeSpan.FromSeconds(1), CancellationToken.None);
        var waiter = Waiter(() => BoxSlot.Acquire(_oneSlot, _state, NeverPolls, NeverPolls, CancellationToken.None));
        Assert.False(await Finishes(waiter, TimeSpan.FromMilliseconds(300)), "the waiter took a slot that was held");

        held.Dispose();

        Assert.True(await Finishes(waiter, TimeSpan.FromSeconds(30)), "the waiter slept on after the slot was freed");
        using var taken = await waiter;
        Assert.Equal(held.Number, taken.Number);
    }

    [Fact]
    public async Task A_slot_freed_by_another_process_is_found_by_the_poll()
    {
        var slots = Directory.CreateDirectory(Path.Combine(_state, "slots")).FullName;
        // FileShare.None is an exclusive flock, as another process's BoxSlot holds it; its release signals nothing here.
        var other = new FileStream(Path.Combine(slots, "0.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var waiter = Waiter(() => BoxSlot.Acquire(_oneSlot, _state, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.False(await Finishes(waiter, TimeSpan.FromMilliseconds(300)), "the waiter took a slot that was held");

        other.Dispose();

        Assert.True(await Finishes(waiter, TimeSpan.FromSeconds(30)), "the poll never found the freed slot");
        (await waiter).Dispose();
    }

    [Fact]
    public void A_launch_that_finds_every_slot_busy_until_its_wait_ends_fails_with_a_timeout()
    {
        using var held = BoxSlot.Acquire(_oneSlot, _state, TimeSpan.FromSeconds(1), CancellationToken.None);
        var e = Assert.Throws<TimeoutException>(() => BoxSlot.Acquire(_oneSlot, _state, TimeSpan.FromMilliseconds(200), NeverPolls, CancellationToken.None));
        Assert.Contains("all 1 box slots stayed busy", e.Message);
    }

    private static async Task<bool> Finishes(Task task, TimeSpan within) => await Task.WhenAny(task, Task.Delay(within)) == task;

    /// <summary>The waiting launch, on a thread of its own rather than one the thread pool may be slow to give.</summary>
    private static Task<BoxSlot> Waiter(Func<BoxSlot> acquire) =>
        Task.Factory.StartNew(acquire, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
