using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Runner.Api.Tests.Problems;

/// <summary>Problem zips built in memory, including malformed ones the API must refuse.</summary>
internal static class ProblemZip
{
    public static byte[] Build(params (string Name, string Content)[] entries) =>
        Build(entries.Select(e => (e.Name, Encoding.UTF8.GetBytes(e.Content), 0)).ToArray());

    /// <param name="entries">Mode: st_mode bits for the external attributes (0 leaves them unset).</param>
    public static byte[] Build((string Name, byte[] Content, int Mode)[] entries, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content, mode) in entries)
            {
                var entry = zip.CreateEntry(name, level);
                if (mode != 0) entry.ExternalAttributes = mode << 16;
                using var s = entry.Open();
                s.Write(content);
            }
        return buffer.ToArray();
    }

    /// <summary>Echo tests 1..n (input "k", answer "k"), with an optional problem.json.</summary>
    public static (string, string)[] EchoTests(int n, string? problemJson = null)
    {
        var list = new List<(string, string)>();
        if (problemJson is not null) list.Add(("problem.json", problemJson));
        for (var i = 1; i <= n; i++)
        {
            list.Add(($"tests/{i}.in", $"{i}\n"));
            list.Add(($"tests/{i}.out", $"{i}\n"));
        }
        return list.ToArray();
    }

    public static Task<HttpResponseMessage> PutAsync(this HttpClient client, string id, byte[] zip)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return client.PutAsync($"/api/v1/problems/{id}", content);
    }
}
