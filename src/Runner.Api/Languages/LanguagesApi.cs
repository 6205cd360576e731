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

    /// <summary>The languages some live worker can judge (its toolchain ran in a box there), with the versions it detected.</summary>
    internal static Ok<IReadOnlyList<LanguageView>> List(LiveLanguages languages) => TypedResults.Ok(languages.Available);
}
