using Runner.Api.Contracts;
using Runner.Api.Storage;
using Runner.Judge;
using Runner.Judge.Checking;

namespace Runner.Api.Tests.Storage;

/// <summary>Stored documents read back as the API serves them, including those written before a field existed.</summary>
public class SubmissionRecordTests
{
    private static SubmissionRecord Finished(SubmissionResult result) => new()
    {
        Id = Guid.NewGuid(),
        Status = SubmissionStatus.Finished,
        Input = StoreJson.Deserialize<JudgeInput>(
            """{"language":"c","source":"x","tests":[{"name":"1","input":"","expected_output":null}],"limits":{"time":2,"wall_time":5,"memory":268435456,"pids":64,"output":1048576},"checker":{"type":"float","epsilon":0.001}}"""),
        Result = result,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void A_stored_input_keeps_its_lowercase_checker_type_and_reads_back_as_the_kind()
    {
        var record = Finished(new SubmissionResult(Verdict.Accepted, 1, null, [], null));
        Assert.Equal(CheckerKind.Float, record.Input.Checker.Type);
        Assert.Contains("\"type\":\"float\"", StoreJson.Serialize(record.Input));
    }

    [Fact]
    public void A_result_stored_before_compile_status_existed_reads_its_status_from_success()
    {
        const string stored = """
            {"verdict":"compilation_error","score":0,"compile":{"success":false,"output":"error","cpu_time":0.1,"wall_time":0.1,"exit_code":1,"message":"m"},
             "tests":[{"name":"1","verdict":"accepted","cpu_time":0,"wall_time":0,"memory_peak":null,"exit_code":0,"signal":null,"message":"","output_excerpt":""}],"message":"m"}
            """;
        var view = Finished(StoreJson.Deserialize<SubmissionResult>(stored)).ToView();
        Assert.Equal(CompileStatus.Failed, view.Compile!.Status);
        Assert.False(view.Compile.Success);
        Assert.Null(view.Compile.MemoryPeak);

        var succeeded = Finished(StoreJson.Deserialize<SubmissionResult>(stored.Replace("\"success\":false", "\"success\":true"))).ToView();
        Assert.Equal(CompileStatus.Succeeded, succeeded.Compile!.Status);
    }

    [Fact]
    public void A_result_stored_now_round_trips_with_status_peak_and_scores()
    {
        var compile = CompileView.From(new CompileReport { Status = CompileStatus.Succeeded, MemoryPeak = 4096, ExitCode = 0 });
        var result = new SubmissionResult(Verdict.WrongAnswer, 0.5, compile,
            [Runner.Judge.Json.TestJson.From(new TestReport { Name = "1", Verdict = Verdict.WrongAnswer, Score = 0.5, Message = "partial: 0.5" })], "test 1: partial: 0.5");
        var view = Finished(StoreJson.Deserialize<SubmissionResult>(StoreJson.Serialize(result))).ToView();
        Assert.Equal((CompileStatus.Succeeded, true, (long?)4096), (view.Compile!.Status, view.Compile.Success, view.Compile.MemoryPeak));
        Assert.Equal(0.5, Assert.Single(view.Tests!).Score);
    }
}
