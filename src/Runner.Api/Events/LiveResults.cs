using Runner.Api.Contracts;
using Runner.Api.Storage;
using Runner.Judge.Json;

namespace Runner.Api.Events;

/// <summary>
/// What a running submission has already produced, read from its events: the compile step and
/// the finished tests of the current attempt (a worker that takes over after a crash starts
/// again at compiling, so earlier attempts' tests are not mixed in).
/// </summary>
public static class LiveResults
{
    public sealed record Partial(CompileView? Compile, IReadOnlyList<TestJson> Tests);

    public static async Task<Partial> ReadAsync(ISubmissionStore store, Guid id, CancellationToken ct)
    {
        CompileView? compile = null;
        var tests = new List<TestJson>();
        foreach (var e in await store.ReadEventsAsync(id, 0, ct))
        {
            switch (e.Type)
            {
                case SubmissionEventType.Compiling:
                    compile = null;
                    tests.Clear();
                    break;
                case SubmissionEventType.Compiled when e.Data is { } data:
                    compile = StoreJson.Deserialize<CompiledEventData>(data).Compile;
                    break;
                case SubmissionEventType.Test when e.Data is { } data:
                    tests.Add(StoreJson.Deserialize<TestEventData>(data).Test);
                    break;
            }
        }
        return new Partial(compile, tests);
    }

    /// <summary>The view GET answers: a running submission's compile step and finished tests so far.</summary>
    public static async Task<SubmissionView> ViewAsync(SubmissionRecord submission, ISubmissionStore store, CancellationToken ct)
    {
        var view = submission.ToView();
        if (submission.Status != SubmissionStatus.Running) return view;
        var partial = await ReadAsync(store, submission.Id, ct);
        return view with { Compile = partial.Compile, Tests = partial.Tests };
    }
}
