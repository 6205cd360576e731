using Microsoft.AspNetCore.Http.HttpResults;
using Runner.Api.Contracts;
using Runner.Api.Judging;

namespace Runner.Api.Languages;

public static class LanguagesApi
{
    public static RouteGroupBuilder MapLanguagesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/languages", List).WithTags("Languages").WithName("ListLanguages");
        return api;
    }

    /// <summary>The languages this host can judge (toolchain present), with detected versions.</summary>
    internal static Ok<IReadOnlyList<LanguageView>> List(IAvailableLanguages catalog) => TypedResults.Ok(catalog.Available);
}
