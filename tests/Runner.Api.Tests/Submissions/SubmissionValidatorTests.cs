using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Runner.Api.Callbacks;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Languages;
using Runner.Api.Storage;
using Runner.Api.Submissions;
using Runner.Judge.Checking;

namespace Runner.Api.Tests.Submissions;

/// <summary>
/// A request becomes a <see cref="JudgeInput"/> or errors keyed by JSON field, without a host or
/// a database: the languages come from the in-memory registry a worker records into.
/// </summary>
public sealed class SubmissionValidatorTests : IAsyncLifetime
{
    private SubmissionValidator _validator = null!;

    public async Task InitializeAsync()
    {
        var registry = new InMemoryWorkerLanguageRegistry(TimeProvider.System);
        await registry.RecordAsync("worker-1", [new LanguageView("python", "Python", "3"), new LanguageView("cpp", "C++", "13")], TimeSpan.FromHours(1), default);
        var languages = new LiveLanguages(registry, NullLogger<LiveLanguages>.Instance);
        await languages.StartAsync(default);
        var options = Options.Create(new RunnerOptions { CallbackAllowedHosts = ["hooks.example"] });
        _validator = new SubmissionValidator(languages, new CallbackPolicy(options), options);
        await languages.StopAsync(default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private (JudgeInput? Input, Dictionary<string, string[]> Errors) Validate(SubmissionRequest request, string prefix = "")
    {
        var errors = new ValidationErrors();
        var input = _validator.Validate(request, prefix, errors);
        return (input, errors.ToDictionary());
    }

    [Fact]
    public void A_single_implicit_test_keeps_a_missing_expected_output_as_null_for_the_judge()
    {
        var (input, errors) = Validate(new SubmissionRequest { Language = "python", Source = "print(1)" });
        Assert.Empty(errors);
        var test = Assert.Single(input!.Tests);
        Assert.Equal(new JudgeTestCase("1", "", null), test);
        Assert.Equal(CheckerKind.Lines, input.Checker.Type);
    }

    [Fact]
    public void An_interactor_is_kept_for_the_judge()
    {
        var (input, errors) = Validate(new SubmissionRequest
        {
            Language = "python",
            Source = "x",
            Interactor = new InteractorRequest { Language = "cpp", Source = "int main() {}" },
        });
        Assert.Empty(errors);
        Assert.Equal(new JudgeInteractor("cpp", "int main() {}"), input!.Interactor);
    }

    [Theory]
    [InlineData(null, "int main() {}", false, "interactor.language")]
    [InlineData("cobol", "x", false, "interactor.language")]
    [InlineData("cpp", "", false, "interactor.source")]
    [InlineData("cpp", "int main() {}", true, "interactor")]
    public void A_bad_interactor_is_an_error_naming_its_field(string? language, string source, bool customChecker, string field)
    {
        var (input, errors) = Validate(new SubmissionRequest
        {
            Language = "python",
            Source = "x",
            Interactor = new InteractorRequest { Language = language, Source = source },
            Checker = customChecker ? new CheckerRequest { Type = "custom", Language = "cpp", Source = "int main() {}" } : null,
        });
        Assert.Null(input);
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void Tests_without_names_are_named_by_their_one_based_index()
    {
        var (input, _) = Validate(new SubmissionRequest
        {
            Language = "python",
            Source = "x",
            Tests = [new TestCaseRequest { Input = "1" }, new TestCaseRequest { Name = "big", Input = "2", ExpectedOutput = "4" }],
        });
        Assert.Equal(["1", "big"], input!.Tests.Select(t => t.Name));
        Assert.Null(input.Tests[0].ExpectedOutput);
        Assert.Equal("4", input.Tests[1].ExpectedOutput);
    }

    [Theory]
    [InlineData("exact", CheckerKind.Exact)]
    [InlineData("lines", CheckerKind.Lines)]
    [InlineData("tokens", CheckerKind.Tokens)]
    [InlineData("float", CheckerKind.Float)]
    public void Each_built_in_checker_name_becomes_its_kind(string name, CheckerKind kind)
    {
        var (input, errors) = Validate(new SubmissionRequest { Language = "python", Source = "x", Checker = new CheckerRequest { Type = name } });
        Assert.Empty(errors);
        Assert.Equal(kind, input!.Checker.Type);
    }

    [Theory]
    [InlineData("regex")]
    [InlineData("Lines")]
    [InlineData("1")]
    public void Only_the_lowercase_checker_names_are_checkers(string name)
    {
        var (_, errors) = Validate(new SubmissionRequest { Language = "python", Source = "x", Checker = new CheckerRequest { Type = name } });
        Assert.Equal($"unknown checker '{name}'; expected one of exact, lines, tokens, float, custom", Assert.Single(errors["checker.type"]));
    }

    [Fact]
    public void A_custom_checker_needs_a_known_language_and_its_source()
    {
        var (_, errors) = Validate(new SubmissionRequest
        {
            Language = "python",
            Source = "x",
            Checker = new CheckerRequest { Type = "custom", Language = "cobol" },
        });
        Assert.Equal(["checker.language", "checker.source"], errors.Keys.Order());
        Assert.Contains("available: cpp, python", Assert.Single(errors["checker.language"]));
    }

    [Fact]
    public void A_custom_checker_keeps_its_kind_language_and_source()
    {
        var (input, _) = Validate(new SubmissionRequest
        {
            Language = "python",
            Source = "x",
            Checker = new CheckerRequest { Type = "custom", Language = "cpp", Source = "int main(){}" },
        });
        Assert.Equal(new JudgeChecker(CheckerKind.Custom, null, "cpp", "int main(){}"), input!.Checker);
    }

    [Fact]
    public void Every_bad_field_is_named_with_the_prefix_of_its_batch_item()
    {
        var (input, errors) = Validate(new SubmissionRequest
        {
            Language = "cobol",
            Tests = [],
            Stdin = "1",
            Limits = new LimitsRequest { Time = 0 },
            Checker = new CheckerRequest { Epsilon = -1 },
            CallbackUrl = "http://elsewhere.example/",
        }, "submissions[2]");
        Assert.Null(input);
        Assert.Equal(
            ["submissions[2].callback_url", "submissions[2].checker.epsilon", "submissions[2].language", "submissions[2].limits.time",
             "submissions[2].source", "submissions[2].tests"],
            errors.Keys.Order());
        Assert.Equal(2, errors["submissions[2].tests"].Length);
    }

    [Fact]
    public void Two_tests_of_one_name_are_refused_because_the_report_could_not_tell_them_apart()
    {
        var (_, errors) = Validate(new SubmissionRequest
        {
            Language = "python",
            Source = "x",
            Tests = [new TestCaseRequest { Name = "a" }, new TestCaseRequest { Name = "a" }],
        });
        Assert.Contains("test name 'a' is used 2 times", Assert.Single(errors["tests"]));
    }
}
