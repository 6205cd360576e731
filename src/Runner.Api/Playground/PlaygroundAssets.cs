using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Runner.Api.Playground;

/// <summary>
/// The playground's files, embedded in this assembly (Playground/Assets), read once. Each file
/// gets a content hash: the page names its scripts and styles with <c>?v=HASH</c>, so a browser
/// may keep them for a year and still never runs a stale editor after an upgrade.
/// </summary>
public sealed class PlaygroundAssets
{
    public const string Page = "index.html";
    private const string Prefix = "Runner.Api.Playground.Assets.";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    private readonly FrozenDictionary<string, Asset> _assets;

    public PlaygroundAssets()
    {
        var assembly = typeof(PlaygroundAssets).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..], n => Read(assembly, n));
        if (!files.TryGetValue(Page, out var page)) throw new InvalidOperationException($"the playground's {Page} is not embedded in {assembly.GetName().Name}");

        var assets = files.Where(f => f.Key != Page).ToDictionary(f => f.Key, f => new Asset(f.Key, f.Value));
        // The page is the one file whose URL never changes; it points at the others by hash.
        var html = Encoding.UTF8.GetString(page);
        foreach (var a in assets.Values)
            html = html.Replace($"\"/playground/{a.Name}\"", $"\"/playground/{a.Name}?v={a.Hash}\"", StringComparison.Ordinal);
        assets[Page] = new Asset(Page, Encoding.UTF8.GetBytes(html));
        _assets = assets.ToFrozenDictionary();
    }

    public Asset? Find(string name) => _assets.GetValueOrDefault(name);

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public sealed class Asset
    {
        private readonly Lazy<byte[]> _gzip;

        public Asset(string name, byte[] content)
        {
            Name = name;
            Content = content;
            Hash = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
            ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            // Compressed on first request, once: the editor bundle is 700 KB and a third of that gzipped.
            _gzip = new Lazy<byte[]>(() =>
            {
                using var output = new MemoryStream();
                using (var gzip = new GZipStream(output, CompressionLevel.Optimal)) gzip.Write(content);
                return output.ToArray();
            });
        }

        public string Name { get; }
        public byte[] Content { get; }
        public string Hash { get; }
        public string ContentType { get; }
        // Weak: the gzipped and the plain answer are the same content in two encodings.
        public string ETag => $"W/\"{Hash}\"";
        public byte[] Gzip => _gzip.Value;
        public bool Compressible => ContentType.StartsWith("text/", StringComparison.Ordinal) || ContentType == "image/svg+xml";
    }
}
