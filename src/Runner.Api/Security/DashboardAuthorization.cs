using System.Security.Claims;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Runner.Api.Security;

/// <summary>
/// The Hangfire dashboard can delete and requeue jobs, so it needs a configured API key: sent in
/// X-Api-Key (scripts), or typed once into /hangfire-login, which keeps a signed, HttpOnly,
/// SameSite=Strict cookie (browsers). The cookie names the key by a fingerprint, so removing a
/// key from Runner:ApiKeys ends the sessions opened with it. With no keys configured the
/// dashboard is closed, and the 401 says so.
/// </summary>
public sealed class DashboardAuthorization(ApiKeys keys) : IDashboardAsyncAuthorizationFilter
{
    public const string Scheme = "RunnerDashboard";
    public const string LoginPath = "/hangfire-login";
    private const string KeyClaim = "runner:key-fingerprint";

    public async Task<bool> AuthorizeAsync(DashboardContext context) => await IsOperatorAsync(context.GetHttpContext());

    public async Task<bool> IsOperatorAsync(HttpContext http)
    {
        if (!keys.Configured) return false;
        if (keys.IsValid(http.Request.Headers[ApiKeys.Header])) return true;
        var session = await http.AuthenticateAsync(Scheme);
        return session.Succeeded && keys.IsCurrentFingerprint(session.Principal.FindFirstValue(KeyClaim));
    }

    public static ClaimsPrincipal Operator(string key) =>
        new(new ClaimsIdentity([new Claim(KeyClaim, ApiKeys.Fingerprint(key))], Scheme));

    /// <summary>
    /// In front of the dashboard: Hangfire's own refusal is an empty 401. This one says why,
    /// and sends a browser to the login form.
    /// </summary>
    public async Task GuardAsync(HttpContext http, Func<Task> next)
    {
        if (await IsOperatorAsync(http))
        {
            await next();
            return;
        }
        if (!keys.Configured)
        {
            await Results.Problem(
                detail: "the dashboard is disabled because Runner:ApiKeys is empty; configure a key to enable it",
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(http);
            return;
        }
        if (http.Request.Method == HttpMethods.Get && http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType == "text/html"))
        {
            http.Response.Redirect($"{LoginPath}?returnUrl={Uri.EscapeDataString(http.Request.PathBase + http.Request.Path + http.Request.QueryString)}");
            return;
        }
        await Results.Problem(
            detail: $"sign in at {LoginPath} with an API key, or send one in the {ApiKeys.Header} header",
            statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(http);
    }

    public static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = "runner_dashboard";
        o.Cookie.HttpOnly = true;
        // Strict: no other site can make the browser send it, so the dashboard's buttons
        // (delete, requeue) cannot be triggered cross-site.
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = TimeSpan.FromHours(8);
        o.SlidingExpiration = true;
        o.LoginPath = LoginPath;
    }
}
