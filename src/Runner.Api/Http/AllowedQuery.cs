using Runner.Api.Errors;
using Runner.Api.Submissions;

namespace Runner.Api.Http;

/// <summary>
/// Query parameters an endpoint reads. Any other is a 400 naming it, as an unknown body field
/// is: `?wiat=true` silently doing nothing would be worse than an error.
/// </summary>
public sealed class AllowedQuery(params string[] names)
{
    public IReadOnlySet<string> Names { get; } = names.ToHashSet(StringComparer.Ordinal);
}

public static class AllowedQueryExtensions
{
    public static TBuilder AllowQuery<TBuilder>(this TBuilder builder, params string[] names) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AllowedQuery(names));

    /// <summary>Group filter: refuses query parameters the endpoint did not declare with <see cref="AllowQuery"/>.</summary>
    public static RouteGroupBuilder RefuseUnknownQuery(this RouteGroupBuilder group) => group.AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        if (http.Request.Query.Count == 0) return await next(context);
        var allowed = http.GetEndpoint()?.Metadata.GetMetadata<AllowedQuery>()?.Names ?? new HashSet<string>();
        var errors = new ValidationErrors();
        foreach (var key in http.Request.Query.Keys.Where(k => !allowed.Contains(k)))
            errors.Add(key, allowed.Count == 0 ? "is not a known query parameter; this endpoint takes none" : $"is not a known query parameter; this endpoint takes {string.Join(", ", allowed)}");
        return errors.Any ? Problems.Invalid(errors) : await next(context);
    });
}
