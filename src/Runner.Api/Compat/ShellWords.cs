using System.Text;

namespace Runner.Api.Compat;

/// <summary>
/// Splits an argument string the way Judge0's <c>/bin/bash run</c> would, without any expansion:
/// first the characters Judge0 strips (<c>$ &amp; ; &lt; &gt; | `</c>) are removed, then words are
/// split on blanks, with single quotes, double quotes and backslashes honoured.
/// </summary>
public static class ShellWords
{
    private const string Stripped = "$&;<>|`";

    public static IReadOnlyList<string> Split(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text)) return words;
        var s = new string(text.Where(c => !Stripped.Contains(c)).ToArray());
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is ' ' or '\t' or '\n')
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '\\')
            {
                // A backslash before a newline joins lines; before anything else it quotes it.
                if (i + 1 < s.Length && s[i + 1] != '\n') word.Append(s[i + 1]);
                i++;
            }
            else if (c == '\'')
            {
                var end = s.IndexOf('\'', i + 1);
                if (end < 0) end = s.Length;
                word.Append(s, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; i < s.Length && s[i] != '"'; i++)
                {
                    // Inside double quotes a backslash quotes only \ " and a newline (and $ `, stripped already).
                    if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] is '\\' or '"' or '\n')
                    {
                        i++;
                        if (s[i] != '\n') word.Append(s[i]);
                    }
                    else word.Append(s[i]);
                }
            }
            else word.Append(c);
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }
}
