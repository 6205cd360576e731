using System.Text;
using Microsoft.Extensions.Options;
using Runner.Api.Callbacks;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Judging;
using Runner.Api.Languages;
using Runner.Api.Storage;
using Runner.Api.StoredProblems;
using Runner.Judge;
using Runner.Judge.Checking;
using Runner.Judge.Languages;

namespace Runner.Api.Submissions;

/// <summary>Turns a request into a <see cref="JudgeInput"/>, or into errors keyed by JSON field.</summary>
public sealed class SubmissionValidator(LiveLanguages languages, CallbackPolicy callbacks, IOptions<RunnerOptions> options)
{
    public JudgeInput? Validate(SubmissionRequest? request, string prefix, ValidationErrors errors)
    {
        var server = options.Value.Limits;
        if (request is null)
        {
            errors.Add(Field(prefix, "body"), "a submission object is required");
            return null;
        }

        var known = languages.Available.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.Language))
            errors.Add(Field(prefix, "language"), "is required");
        else if (!known.Contains(request.Language))
            errors.Add(Field(prefix, "language"), known.Count == 0
                ? $"no live worker can judge '{request.Language}': no worker has recorded its languages (is one running?)"
                : $"unknown language '{request.Language}': no live worker can judge it; available: {string.Join(", ", known.Order())}");

        if (request.Source is null)
            errors.Add(Field(prefix, "source"), "is required");
        else if (Encoding.UTF8.GetByteCount(request.Source) > server.MaxSourceBytes)
            errors.Add(Field(prefix, "source"), $"is larger than the server maximum of {server.MaxSourceBytes} bytes");

        var tests = new List<JudgeTestCase>();
        ProblemRef? problem = null;
        if (request.Problem is not null)
        {
            if (request.Problem.Length == 0) errors.Add(Field(prefix, "problem"), "must be a problem id");
            problem = new ProblemRef(request.Problem, request.Version);
            // The problem decides these; a request that sets them too has misunderstood something.
            foreach (var (field, given) in new (string, object?)[] { ("tests", request.Tests), ("stdin", request.Stdin), ("expected_output", request.ExpectedOutput),
                ("limits", request.Limits), ("checker", request.Checker), ("groups", request.Groups), ("interactor", request.Interactor) })
                if (given is not null) errors.Add(Field(prefix, field), $"comes from problem '{request.Problem}'; leave it out");
        }
        else if (request.Version is not null)
            errors.Add(Field(prefix, "version"), "applies to a submission that names a problem");
        if (problem is not null)
        {
            // The tests are the problem's, read by the worker from its cache.
        }
        else if (request.Tests is { } given)
        {
            if (given.Count == 0) errors.Add(Field(prefix, "tests"), "must contain at least one test when given");
            if (given.Count > server.MaxTests) errors.Add(Field(prefix, "tests"), $"has {given.Count} tests; the server maximum is {server.MaxTests}");
            for (var i = 0; i < given.Count; i++)
            {
                var t = given[i];
                if (t is null)
                {
                    errors.Add(Field(prefix, $"tests[{i}]"), "must be an object");
                    continue;
                }
                tests.Add(new JudgeTestCase(string.IsNullOrEmpty(t.Name) ? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : t.Name, t.Input ?? "", t.ExpectedOutput));
            }
            // The judge reports per test name; two tests of one name could not be told apart.
            foreach (var dup in tests.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
                errors.Add(Field(prefix, "tests"), $"test name '{dup.Key}' is used {dup.Count()} times; names must be unique");
            if (request.Stdin is not null || request.ExpectedOutput is not null)
                errors.Add(Field(prefix, "tests"), "give either tests or stdin/expected_output, not both");
        }
        else
        {
            tests.Add(new JudgeTestCase("1", request.Stdin ?? "", request.ExpectedOutput));
        }
        var testBytes = tests.Sum(t => (long)Encoding.UTF8.GetByteCount(t.Input) + (t.ExpectedOutput is null ? 0 : Encoding.UTF8.GetByteCount(t.ExpectedOutput)));
        if (testBytes > server.MaxTestsBytes)
            errors.Add(Field(prefix, request.Tests is null ? "stdin" : "tests"), $"test data is {testBytes} bytes; the server maximum is {server.MaxTestsBytes}");

        var limits = LimitsValidator.Resolve(request.Limits, server, Field(prefix, "limits"), errors);
        var groups = problem is null
            ? GroupsValidator.Resolve(request.Groups, tests.Select(t => t.Name), prefix.Length == 0 ? "" : prefix + ".", errors)
            : null;
        ValidateFiles(request, prefix, server, errors);

        var checker = new JudgeChecker(CheckerKind.Lines);
        if (request.Checker is { } c)
        {
            var type = CheckerKind.Lines;
            var typeKnown = c.Type is null || CheckerSpec.TryParseKind(c.Type, out type);
            if (!typeKnown)
                errors.Add(Field(prefix, "checker.type"),
                    $"unknown checker '{c.Type}'; expected one of {string.Join(", ", Enum.GetValues<CheckerKind>().Select(CheckerKindJsonConverter.Name))}");
            if (c.Epsilon is { } eps && (!(eps >= 0) || double.IsInfinity(eps)))
                errors.Add(Field(prefix, "checker.epsilon"), "must be a finite number >= 0");
            if (type == CheckerKind.Custom)
            {
                if (c.Language is null || !known.Contains(c.Language))
                    errors.Add(Field(prefix, "checker.language"), $"a custom checker needs a known language; available: {string.Join(", ", known.Order())}");
                if (string.IsNullOrEmpty(c.Source))
                    errors.Add(Field(prefix, "checker.source"), "a custom checker needs its source");
                else if (Encoding.UTF8.GetByteCount(c.Source) > server.MaxSourceBytes)
                    errors.Add(Field(prefix, "checker.source"), $"is larger than the server maximum of {server.MaxSourceBytes} bytes");
            }
            else if (typeKnown)
            {
                // A field the chosen checker ignores is a mistake in the request, like an unknown field.
                var name = CheckerKindJsonConverter.Name(type);
                if (c.Language is not null) errors.Add(Field(prefix, "checker.language"), $"applies to the custom checker only, not '{name}'");
                if (c.Source is not null) errors.Add(Field(prefix, "checker.source"), $"applies to the custom checker only, not '{name}'");
            }
            if (c.Epsilon is not null && typeKnown && type != CheckerKind.Float)
                errors.Add(Field(prefix, "checker.epsilon"), $"applies to the float checker only, not '{CheckerKindJsonConverter.Name(type)}'");
            checker = new JudgeChecker(type, c.Epsilon, c.Language, c.Source);
        }

        JudgeInteractor? interactor = null;
        if (request.Interactor is { } wanted)
        {
            if (wanted.Language is null || !known.Contains(wanted.Language))
                errors.Add(Field(prefix, "interactor.language"), $"an interactor needs a known language; available: {string.Join(", ", known.Order())}");
            if (string.IsNullOrEmpty(wanted.Source))
                errors.Add(Field(prefix, "interactor.source"), "an interactor needs its source");
            else if (Encoding.UTF8.GetByteCount(wanted.Source) > server.MaxSourceBytes)
                errors.Add(Field(prefix, "interactor.source"), $"is larger than the server maximum of {server.MaxSourceBytes} bytes");
            if (checker.Type == CheckerKind.Custom)
                errors.Add(Field(prefix, "interactor"), "the interactor decides each test: give no custom checker with it");
            interactor = new JudgeInteractor(wanted.Language ?? "", wanted.Source ?? "");
        }

        if (request.CallbackUrl is not null && callbacks.Check(request.CallbackUrl) is { } refused)
            errors.Add(Field(prefix, "callback_url"), refused);

        if (errors.Any) return null;
        return new JudgeInput
        {
            Language = request.Language!,
            Source = request.Source!,
            Tests = tests,
            Limits = limits,
            Checker = checker,
            Interactor = interactor,
            StopOnFirstFailure = request.StopOnFirstFailure,
            CallbackUrl = request.CallbackUrl,
            Files = request.Files,
            Groups = groups,
            Problem = problem,
        };
    }

    private static readonly Lazy<LanguageCatalog> Catalog = new(() => LanguageCatalog.Load());

    /// <summary>Files beside the source: names inside /box, not the language's main file, within the source's byte bound.</summary>
    private static void ValidateFiles(SubmissionRequest request, string prefix, LimitOptions server, ValidationErrors errors)
    {
        if (request.Files is not { } files) return;
        if (files.Count > JudgeRequest.MaxFiles) errors.Add(Field(prefix, "files"), $"has {files.Count} files; the server maximum is {JudgeRequest.MaxFiles}");
        var main = request.Language is null ? null : Catalog.Value.Find(request.Language)?.SourceFile;
        long bytes = 0;
        foreach (var (path, text) in files)
        {
            var field = Field(prefix, $"files.{path}");
            if (SubmissionFiles.Problem(path) is { } problem) errors.Add(field, problem);
            else if (path == main) errors.Add(field, $"is the main source file of '{request.Language}'; give it as source");
            if (text is null) errors.Add(field, "must be the file's text");
            else bytes += Encoding.UTF8.GetByteCount(text);
        }
        if (SubmissionFiles.Conflict(files.Keys) is { } conflict) errors.Add(Field(prefix, $"files.{conflict.Path}"), conflict.Message);
        if (bytes > server.MaxSourceBytes) errors.Add(Field(prefix, "files"), $"hold {bytes} bytes; the server maximum is {server.MaxSourceBytes}");
    }

    private static string Field(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}
