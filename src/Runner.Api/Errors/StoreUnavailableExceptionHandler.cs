using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Runner.Api.Hosting;

namespace Runner.Api.Errors;

/// <summary>
/// A database that is restarting, unreachable or out of connections is a 503 with Retry-After,
/// not a 500: the request was fine and will succeed when the database is back. Npgsql's pool
/// reconnects by itself, so nothing has to be restarted.
/// </summary>
public sealed class StoreUnavailableExceptionHandler(
    IProblemDetailsService problems,
    IOptions<RunnerOptions> options,
    ILogger<StoreUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (Unavailable(exception) is not { } cause) return false;
        logger.LogWarning("{Method} {Path}: the database is unavailable ({Error}); answering 503", http.Request.Method, http.Request.Path, cause.Message);
        var retryAfter = Math.Max(1, options.Value.Queue.RetryAfterSeconds);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Database unavailable",
                Detail = $"The submission database is unavailable; retry in {retryAfter} s. A POST that carried an Idempotency-Key can be repeated safely.",
            },
        });
    }

    /// <summary>
    /// The Npgsql error somewhere in the chain (Hangfire wraps its own) when it means the server
    /// is down, restarting, refusing connections or the pool is exhausted, rather than a bug.
    /// </summary>
    public static Exception? Unavailable(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg when IsUnavailableState(pg.SqlState):
                    return pg;
                case PostgresException:
                    return null;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return npgsql;
            }
        }
        return null;
    }

    /// <summary>08 connection exceptions, 53 insufficient resources (53300: too many connections), 57P01–57P05 shutdown and admin.</summary>
    private static bool IsUnavailableState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal);
}
