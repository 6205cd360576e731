using Runner.Api.Storage;
using Runner.Api.Submissions;

namespace Runner.Api.StoredProblems;

/// <summary>
/// Pins a submission that names a problem to one version (the latest one not retired, unless it
/// names a version) and takes the limits and checker from it, so the stored submission says
/// exactly what judged it.
/// </summary>
public sealed class ProblemReferences(IProblemStore store)
{
    public async Task<JudgeInput?> ResolveAsync(JudgeInput input, string prefix, ValidationErrors errors, CancellationToken ct)
    {
        if (input.Problem is not { } wanted) return input;
        ProblemVersion? found;
        if (wanted.Version is null)
        {
            var versions = await store.ListAsync(wanted.Id, ct);
            found = versions.FirstOrDefault(v => v.RetiredAt is null);
            if (found is null)
            {
                errors.Add(Field(prefix, "problem"), versions.Count == 0
                    ? $"no problem '{wanted.Id}'; upload it with PUT /api/v1/problems/{wanted.Id}"
                    : $"every version of problem '{wanted.Id}' is retired");
                return null;
            }
        }
        else
        {
            found = await store.GetAsync(wanted.Id, wanted.Version, ct);
            if (found is null || found.RetiredAt is not null)
            {
                errors.Add(Field(prefix, "version"), found is null
                    ? $"problem '{wanted.Id}' has no version '{wanted.Version}'"
                    : $"version '{wanted.Version}' of problem '{wanted.Id}' is retired");
                return null;
            }
        }
        var checker = found.Definition.Checker;
        return input with
        {
            Problem = wanted with { Version = found.Version },
            Limits = found.Definition.Limits,
            Checker = new JudgeChecker(checker.Type, checker.Epsilon, checker.Language),
        };
    }

    private static string Field(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}
