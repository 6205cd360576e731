using System.Globalization;
using System.Text;

namespace Runner.Reliability.Tests.Fuzz;

/// <summary>One request to send: a name for the report and its bytes on the wire.</summary>
public sealed record FuzzCase(string Name, byte[] Bytes);

/// <summary>
/// The reproductions of the reliability review, then generated requests: request i depends only
/// on (seed, i), so both modes get the same ones and a failure can be replayed. The mix is
/// mostly plausible-but-wrong API calls (wrong types, missing, extra and duplicate fields, edge
/// numbers and strings, bad paths, bad charsets, bad query values) with some valid ones, odd
/// methods, protocol-level junk and a few large bodies.
/// </summary>
public static class RequestFuzzer
{
    private const string Json = "application/json";

    public static IEnumerable<FuzzCase> Reproductions()
    {
        yield return Post("runs a and a/b", "/api/v1/runs", """{"command":["/bin/true"],"files":{"a":{"content":"x"},"a/b":{"content":"y"}}}""");
        yield return Post("runs 256-byte name", "/api/v1/runs", RunWithFile(new string('n', 256)));
        yield return Post("runs 1 MB name", "/api/v1/runs", RunWithFile(new string('n', 1 << 20)));
        yield return Post("runs path over PATH_MAX", "/api/v1/runs", RunWithFile(string.Join('/', Enumerable.Repeat(new string('d', 200), 25))));
        yield return Post("quoted charset", "/api/v1/submissions", """{"language":"python","source":"print(1)"}""", "application/json; charset=\"utf-8\"");
        yield return Post("unknown charset", "/api/v1/submissions", """{"language":"python","source":"print(1)"}""", "application/json; charset=foo");
        yield return Post("batch quoted charset", "/api/v1/submissions/batch", """{"submissions":[{"language":"python","source":"print(1)"}]}""", "application/json; charset=\"utf-8\"");
        yield return Post("NUL in source", "/api/v1/submissions", """{"language":"python","source":"print(1)\u0000"}""");
        yield return Post("NUL in stdin, answer, test name", "/api/v1/submissions", """{"language":"python","source":"print(1)","tests":[{"name":"a\u0000","input":"\u0000","expected_output":"1\u0000"}]}""");
        yield return Post("NUL on stderr", "/api/v1/submissions", """{"language":"python","source":"import sys\nsys.stderr.buffer.write(b'a\\x00b\\n')\nsys.exit(1)\n"}""");
        yield return Post("NUL on stdout", "/api/v1/submissions", """{"language":"python","source":"import sys\nsys.stdout.buffer.write(b'a\\x00b')\n"}""");
        yield return Post("duplicate test names", "/api/v1/submissions", """{"language":"python","source":"print(1)","tests":[{"name":"a","input":""},{"name":"a","input":""}]}""");
        yield return Post("empty body", "/api/v1/submissions", "");
        yield return Post("null body", "/api/v1/submissions", "null");
        yield return Post("memory 1.5e8", "/api/v1/submissions", """{"language":"python","source":"x","limits":{"memory":1.5e8}}""");
        yield return Post("wait=yes", "/api/v1/submissions?wait=yes", """{"language":"python","source":"x"}""");
        yield return Post("truncated JSON", "/api/v1/submissions", """{"language": "python", "sou""");
        yield return Post("20 MB source", "/api/v1/submissions", $$"""{"language":"python","source":"{{new string('#', 20 << 20)}}"}""");
        yield return Raw("Content-Length 100 MB, little sent", RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Content-Length", "100000000")], Encoding.UTF8.GetBytes("{\"language\":"), contentLength: false));
        yield return Raw("batch GET of 1000 ids", RawHttp.Request("GET", "/api/v1/submissions/batch?ids=" + string.Join(',', Enumerable.Range(0, 1000).Select(i => Guid.CreateVersion7())), [], null));
        yield return Raw("batch GET of 1200 ids", RawHttp.Request("GET", "/api/v1/submissions/batch?ids=" + string.Join(',', Enumerable.Range(0, 1200).Select(i => Guid.CreateVersion7())), [], null));
        yield return Raw("100 KB URL", RawHttp.Request("GET", "/api/v1/languages?x=" + new string('a', 100_000), [], null));
        yield return Raw("70 KB header", RawHttp.Request("GET", "/api/v1/languages", [("X-Big", new string('h', 70_000))], null));
        yield return Raw("2000 headers", RawHttp.Request("GET", "/api/v1/languages", Enumerable.Range(0, 2000).Select(i => ($"X-H{i}", "v")), null));
        yield return Raw("%00 in the path", RawHttp.Request("GET", "/api/v1/submissions/%00", [], null));
        yield return Raw("bad percent-encoding", RawHttp.Request("GET", "/api/v1/%zz", [], null));
    }

    public static FuzzCase Generate(int seed, int i)
    {
        var r = new Random(seed * 1_000_003 + i);
        return r.Next(100) switch
        {
            < 40 => Submission(r, i),
            < 50 => Batch(r, i),
            < 68 => Run(r, i),
            < 80 => Get(r, i),
            < 88 => OddMethod(r, i),
            < 98 => Protocol(r, i),
            _ => Large(r, i),
        };
    }

    private static FuzzCase Submission(Random r, int i)
    {
        var query = Pick(r, "", "", "", "", "?wait=true", "?wait=false", "?wait=yes", "?wait=1", "?wiat=true", "?wait=true&wait=false", "?wait=%zz", "?ids=1");
        var headers = new List<(string, string)> { ("Content-Type", ContentType(r)) };
        if (r.Next(10) == 0) headers.Add(("Idempotency-Key", Pick(r, Guid.NewGuid().ToString(), "", new string('k', 300), "key with spaces", "ключ", $"fuzz-{i % 7}")));
        return new($"submission {i}", RawHttp.Request("POST", "/api/v1/submissions" + query, headers, Body(r, SubmissionJson(r))));
    }

    private static FuzzCase Batch(Random r, int i)
    {
        var items = r.Next(10) switch
        {
            0 => Scalar(r),
            1 => "[]",
            _ => "[" + string.Join(',', Enumerable.Range(0, Pick(r, 1, 2, 5, 50, 51, 60)).Select(_ => SubmissionJson(r))) + "]",
        };
        var json = r.Next(10) == 0 ? Scalar(r) : $$"""{"submissions":{{items}}{{(r.Next(8) == 0 ? ",\"extra\":1" : "")}}}""";
        return new($"batch {i}", RawHttp.Request("POST", "/api/v1/submissions/batch" + Pick(r, "", "", "", "?wait=true"), [("Content-Type", ContentType(r))], Body(r, json)));
    }

    private static FuzzCase Run(Random r, int i)
    {
        var fields = new List<string>();
        if (r.Next(10) > 0)
            fields.Add("\"command\":" + Pick(r, "[\"/bin/true\"]", "[\"sh\",\"-c\",\"echo hi; cat a.txt 2>/dev/null\"]", "[\"/bin/echo\",\"x\"]", "[]", "\"ls\"", "[\"a\\u0000b\"]", "[null]", "[\"/nonexistent\"]", "[\"\"]", "[\"sh\",\"-c\",\"ln -s /etc/passwd p; mkfifo f; mkdir d; ln a.txt h\"]", Scalar(r)));
        if (r.Next(2) == 0)
        {
            var paths = Enumerable.Range(0, r.Next(1, 4)).Select(_ => Pick(r, "a.txt", "dir/b.txt", "a", "a/b", "../x", "/etc/passwd", "/box/../x", "/box/c", "a//b", "%2e%2e", "a\\u0000b", ".", "", new string('n', 300), string.Join('/', Enumerable.Repeat("d", 3000)))).Distinct();
            fields.Add("\"files\":{" + string.Join(',', paths.Select(p => $"\"{p}\":" + Pick(r, "{\"content\":\"x\"}", "{\"base64\":\"eA==\"}", "{\"base64\":\"!!\"}", "{\"content\":\"x\",\"base64\":\"eA==\"}", "{}", "null", "1"))) + "}");
        }
        if (r.Next(3) == 0) fields.Add("\"copy_out\":[" + string.Join(',', Enumerable.Range(0, r.Next(1, 4)).Select(_ => Pick(r, "\"a.txt\"", "\"p\"", "\"f\"", "\"d\"", "\"h\"", "\"../x\"", "\"/etc/passwd\"", "\"a//b\"", "null", "1"))) + "]");
        if (r.Next(4) == 0) fields.Add("\"stdin\":" + Pick(r, "\"in\"", "\"\\u0000\"", "1", "null"));
        if (r.Next(4) == 0) fields.Add("\"limits\":" + Limits(r));
        if (r.Next(15) == 0) fields.Add("\"unknown\":1");
        return new($"run {i}", RawHttp.Request("POST", "/api/v1/runs", [("Content-Type", ContentType(r))], Body(r, "{" + string.Join(',', fields) + "}")));
    }

    private static FuzzCase Get(Random r, int i)
    {
        var target = Pick(r,
            $"/api/v1/submissions/{Guid.NewGuid()}", "/api/v1/submissions/not-a-guid", "/api/v1/submissions/",
            "/api/v1/submissions/batch?ids=" + string.Join(',', Enumerable.Range(0, Pick(r, 0, 1, 3, 999, 1001)).Select(_ => Guid.NewGuid())),
            "/api/v1/submissions/batch?ids=x,y", "/api/v1/submissions/batch", "/api/v1/submissions/batch?ids=,,,",
            "/api/v1/languages", "/api/v1/languages?x=1", "/health/live", "/health/ready", "/openapi/v1.json", "/swagger/index.html",
            "/hangfire", "/nope", "/", "/api/v1/runs");
        return new($"get {i}", RawHttp.Request("GET", target, [], null));
    }

    private static FuzzCase OddMethod(Random r, int i)
    {
        var method = Pick(r, "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "GET");
        var target = Pick(r, "/api/v1/submissions", "/api/v1/submissions/batch", "/api/v1/runs", $"/api/v1/submissions/{Guid.NewGuid()}", "/api/v1/languages");
        return new($"{method} {i}", RawHttp.Request(method, target, [("Content-Type", Json)], method == "GET" ? null : Encoding.UTF8.GetBytes("{}")));
    }

    private static FuzzCase Protocol(Random r, int i)
    {
        var body = Encoding.UTF8.GetBytes("""{"language":"python","source":"print(1)"}""");
        var bytes = r.Next(14) switch
        {
            0 => RawHttp.Request("GET", "/api/v1/languages?x=" + new string('a', r.Next(10_000, 100_000)), [], null),
            1 => RawHttp.Request("GET", "/api/v1/languages", [("X-Big", new string('h', r.Next(10_000, 70_000)))], null),
            2 => RawHttp.Request("GET", "/api/v1/languages", Enumerable.Range(0, r.Next(101, 2000)).Select(n => ($"X-H{n}", "v")), null),
            3 => RawHttp.Request("GET", Pick(r, "/api/v1/%zz", "/api/v1/submissions/%00", "/api/%c0%ae%c0%ae/x", "*", "http://x/api/v1/languages", "/api/v1/languages#frag"), [], null),
            4 => RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Content-Length", "-1")], body, contentLength: false),
            5 => RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Transfer-Encoding", "chunked"), ("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture))], [.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8.ToArray()], contentLength: false),
            6 => RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Transfer-Encoding", "chunked")], [.. "zz\r\nabc\r\n0\r\n\r\n"u8.ToArray()], contentLength: false),
            7 => RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Expect", "100-continue")], body),
            8 => Encoding.ASCII.GetBytes("GET /api/v1/languages HTTP/1.0\r\n\r\n"),
            9 => Encoding.ASCII.GetBytes(Pick(r, "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", "GET /api/v1/languages HTTP/1.1\nHost: x\nConnection: close\n\n", "\r\n\r\n")),
            10 => RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Content-Type", "text/plain")], body),
            11 => RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Content-Encoding", "gzip")], body),
            12 => RawHttp.Request("GET", "/api/v1/languages", [("Host", "a"), ("X-Bad\u0001", "v")], null),
            _ => RawHttp.Request("POST", "/api/v1/submissions", [("Content-Type", Json), ("Transfer-Encoding", "gzip, chunked")], [.. "5\r\nhello\r\n0\r\n\r\n"u8.ToArray()], contentLength: false),
        };
        return new($"protocol {i}", bytes);
    }

    private static FuzzCase Large(Random r, int i)
    {
        var megabytes = r.Next(1, 8);
        var json = r.Next(4) switch
        {
            0 => $$"""{"language":"python","source":"{{new string('#', megabytes << 20)}}"}""",
            1 => new string('[', megabytes << 20),
            2 => """{"language":"python","source":"x","tests":[""" + string.Join(',', Enumerable.Repeat("""{"input":"1"}""", megabytes * 50_000)) + "]}",
            _ => """{"submissions":[""" + string.Join(',', Enumerable.Repeat($$"""{"language":"python","source":"{{new string('#', 200 << 10)}}"}""", megabytes * 5)) + "]}",
        };
        var path = json.StartsWith("{\"submissions\"", StringComparison.Ordinal) ? "/api/v1/submissions/batch" : "/api/v1/submissions";
        return new($"large {i}", RawHttp.Request("POST", path, [("Content-Type", Json)], Encoding.UTF8.GetBytes(json)));
    }

    private static string SubmissionJson(Random r)
    {
        var fields = new List<string>();
        if (r.Next(8) > 0) fields.Add("\"language\":" + Pick(r, "\"python\"", "\"python\"", "\"python\"", "\"cpp\"", "\"cobol\"", "\"\"", Scalar(r)));
        if (r.Next(8) > 0) fields.Add("\"source\":" + Pick(r, "\"print(1)\"", "\"print(input())\"", "\"import sys\\nsys.stdout.buffer.write(b'\\\\xff\\\\x00')\"", "\"int main(){}\"", "\"\\ud800\"", "\"a\\u2028\\u202e\\uffff\"", Scalar(r)));
        if (r.Next(4) == 0) fields.Add("\"stdin\":" + Pick(r, "\"1\"", "\"\\u0000\"", Scalar(r)));
        if (r.Next(4) == 0) fields.Add("\"expected_output\":" + Pick(r, "\"1\"", "\"1\\n\"", Scalar(r)));
        if (r.Next(5) == 0)
            fields.Add("\"tests\":" + (r.Next(6) == 0 ? Scalar(r) : "[" + string.Join(',', Enumerable.Range(0, Pick(r, 0, 1, 2, 3, 201)).Select(n => Pick(r, $$"""{"name":"t{{n % 3}}","input":"1","expected_output":"1"}""", """{"input":"1"}""", "{}", "null", "1", """{"name":1}"""))) + "]"));
        if (r.Next(4) == 0) fields.Add("\"limits\":" + Limits(r));
        if (r.Next(6) == 0) fields.Add("\"checker\":" + Pick(r, """{"type":"float","epsilon":0.1}""", """{"type":"tokens"}""", """{"type":"custom","language":"python","source":"print(1)"}""", """{"type":"regex"}""", """{"type":"float","epsilon":-1}""", """{"type":"lines","epsilon":1}""", "{}", Scalar(r)));
        if (r.Next(10) == 0) fields.Add("\"stop_on_first_failure\":" + Pick(r, "true", "\"yes\"", "1"));
        if (r.Next(10) == 0) fields.Add("\"callback_url\":" + Pick(r, "\"http://169.254.169.254/\"", "\"ftp://x\"", "\"not a url\"", Scalar(r)));
        if (r.Next(12) == 0) fields.Add(Pick(r, "\"stdn\":\"1\"", "\"language\":\"python\"", "\"\":1"));
        return "{" + string.Join(',', fields) + "}";
    }

    private static string Limits(Random r) => "{" + string.Join(',', Enumerable.Range(0, r.Next(0, 4)).Select(_ =>
        $"\"{Pick(r, "time", "wall_time", "memory", "pids", "output", "cpu")}\":{Pick(r, "1", "0", "-1", "-0", "0.5", "1e400", "9223372036854775808", "1.5e8", "\"1\"", "null", "100000", "0x10", "NaN", "Infinity", "true")}")) + "}";

    private static string Scalar(Random r) => Pick(r, "null", "true", "0", "-0", "1e400", "\"\"", "\"x\"", "[]", "{}", "[1,2]", "{\"a\":1}", "18446744073709551616", "NaN", "'x'", "\"\\u0000\"", "\"\\ud800\"");

    private static string ContentType(Random r) => r.Next(20) switch
    {
        0 => "text/plain",
        1 => "application/json; charset=\"utf-8\"",
        2 => "application/json; charset=foo",
        3 => "application/json; charset=latin1",
        4 => "application/json; charset=utf-16",
        5 => "application/problem+json",
        6 => "application/x-www-form-urlencoded",
        7 => "",
        8 => "application/json; charset=UTF-8",
        _ => Json,
    };

    /// <summary>The JSON text, sometimes damaged: truncated, with invalid UTF-8, a BOM, or as UTF-16.</summary>
    private static byte[] Body(Random r, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return r.Next(30) switch
        {
            0 => bytes[..r.Next(bytes.Length + 1)],
            1 => [.. bytes[..(bytes.Length / 2)], 0xff, 0xc0, 0x80, .. bytes[(bytes.Length / 2)..]],
            2 => [0xef, 0xbb, 0xbf, .. bytes],
            3 => Encoding.Unicode.GetBytes(json),
            4 => [.. bytes[..(bytes.Length / 2)], 0, .. bytes[(bytes.Length / 2)..]],
            _ => bytes,
        };
    }

    private static string RunWithFile(string path) => "{\"command\":[\"/bin/true\"],\"files\":{\"" + path + "\":{\"content\":\"x\"}}}";

    private static FuzzCase Post(string name, string url, string json, string contentType = Json) =>
        new(name, RawHttp.Request("POST", url, [("Content-Type", contentType)], Encoding.UTF8.GetBytes(json)));

    private static FuzzCase Raw(string name, byte[] bytes) => new(name, bytes);

    private static T Pick<T>(Random r, params T[] options) => options[r.Next(options.Length)];
}
