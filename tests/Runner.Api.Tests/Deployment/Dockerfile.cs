namespace Runner.Api.Tests.Deployment;

/// <summary>
/// Just enough of the Dockerfile grammar to run a build stage without a container engine:
/// stages (FROM ... AS name) holding their instructions, with comments dropped and backslash
/// continuations joined as Docker joins them.
/// </summary>
public sealed class Dockerfile
{
    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<string> Runs => Instructions.Where(i => i.Keyword == "RUN").Select(i => i.Arguments);

        /// <summary>The last WORKDIR, the directory RUN commands start in.</summary>
        public string WorkDir => Instructions.LastOrDefault(i => i.Keyword == "WORKDIR")?.Arguments ?? "/";

        /// <summary>COPY --from=STAGE SRC DST, as (stage, source, destination).</summary>
        public IEnumerable<(string From, string Source, string Destination)> CopiesFromStages =>
            Instructions.Where(i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal))
                .Select(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(p => (p[0]["--from=".Length..], p[1], p[2]));
    }

    public IReadOnlyList<Stage> Stages { get; }

    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public Stage this[string name] => Stages.Single(s => s.Name == name);

    public static Dockerfile Parse(string text)
    {
        var stages = new List<Stage>();
        var logical = new List<string>();
        var pending = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (pending.Length == 0 && line.TrimStart().StartsWith('#')) continue;
            if (pending.Length > 0 && line.TrimStart().StartsWith('#')) continue; // comments inside a continuation
            if (line.EndsWith('\\'))
            {
                pending += line[..^1];
                continue;
            }
            var whole = (pending + line).Trim();
            pending = "";
            if (whole.Length > 0) logical.Add(whole);
        }

        string? image = null, name = null;
        var instructions = new List<Instruction>();
        foreach (var l in logical)
        {
            var space = l.IndexOf(' ');
            var keyword = (space < 0 ? l : l[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : l[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                if (image is not null) stages.Add(new Stage(image, name, instructions));
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                image = parts[0];
                name = parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null;
                instructions = [];
            }
            else
            {
                instructions.Add(new Instruction(keyword, arguments));
            }
        }
        if (image is not null) stages.Add(new Stage(image, name, instructions));
        return new Dockerfile(stages);
    }
}
