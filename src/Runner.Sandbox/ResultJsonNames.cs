using System.Text;

namespace Runner.Sandbox;

/// <summary>snake_case names for enum values, as the CLI's JSON and the README use them.</summary>
public static class ResultJsonNames
{
    public static string Snake(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    public static string Name(this SandboxStatus status) => Snake(status.ToString());
}
