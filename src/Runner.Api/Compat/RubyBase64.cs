namespace Runner.Api.Compat;

/// <summary>
/// Base64 as Judge0's Ruby reads and writes it. Reading is lenient like <c>Base64.decode64</c>:
/// characters outside the alphabet (newlines) are skipped and missing padding is tolerated.
/// Writing is plain padded RFC 4648 without line breaks, which every client decodes.
/// </summary>
public static class RubyBase64
{
    public static byte[] Decode(string text)
    {
        var chars = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '=') break;
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/') chars.Append(c);
        }
        switch (chars.Length % 4)
        {
            case 1: chars.Length--; break;
            case 2: chars.Append("=="); break;
            case 3: chars.Append('='); break;
        }
        return Convert.FromBase64String(chars.ToString());
    }

    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes);
}
