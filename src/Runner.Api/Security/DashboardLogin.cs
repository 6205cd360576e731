using System.Net;
using Microsoft.AspNetCore.Authentication;

namespace Runner.Api.Security;

/// <summary>/hangfire-login: a form that takes an API key once and keeps the session in a cookie.</summary>
public static class DashboardLogin
{
    public static WebApplication MapDashboardLogin(this WebApplication app)
    {
        app.MapGet(DashboardAuthorization.LoginPath, (string? returnUrl) => Form(returnUrl, null, StatusCodes.Status200OK)).ExcludeFromDescription();
        app.MapPost(DashboardAuthorization.LoginPath, SignInAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, ApiKeys keys)
    {
        // Read by hand: the form has no antiforgery token to check. A forged login can only sign
        // a browser in with a key the forger already has, which grants the forger nothing.
        var form = await http.Request.ReadFormAsync();
        var returnUrl = form["returnUrl"].ToString();
        if (!keys.Configured)
            return Form(returnUrl, "The dashboard is disabled because Runner:ApiKeys is empty.", StatusCodes.Status401Unauthorized);
        var key = form["key"].ToString();
        if (!keys.IsValid(key))
            return Form(returnUrl, "That is not a configured API key.", StatusCodes.Status401Unauthorized);
        await http.SignInAsync(DashboardAuthorization.Scheme, DashboardAuthorization.Operator(key));
        // Only a local path: an open redirect would send an operator anywhere after login.
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl : "/hangfire");
    }

    private static bool IsLocal(string url) =>
        url.StartsWith("/hangfire", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\');

    private static IResult Form(string? returnUrl, string? error, int status) => Results.Content($"""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Runner dashboard</title></head>
        <body style="font-family: sans-serif; max-width: 28em; margin: 4em auto">
        <h1>Runner dashboard</h1>
        {(error is null ? "" : $"<p style=\"color: #b00\">{WebUtility.HtmlEncode(error)}</p>")}
        <form method="post" action="{DashboardAuthorization.LoginPath}">
        <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl ?? "/hangfire")}">
        <label>API key (one of Runner:ApiKeys) <input type="password" name="key" autofocus required></label>
        <button type="submit">Sign in</button>
        </form>
        </body></html>
        """, "text/html; charset=utf-8", statusCode: status);
}
