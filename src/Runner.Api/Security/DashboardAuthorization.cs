using Hangfire.Dashboard;

namespace Runner.Api.Security;

/// <summary>
/// The Hangfire dashboard can delete and requeue jobs, so it is never public: it needs a
/// configured API key in X-Api-Key AND a request from the loopback interface (reach it
/// through an SSH tunnel or a port-forward). With no keys configured it is closed to everyone.
/// </summary>
public sealed class DashboardAuthorization(ApiKeys keys) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var remote = http.Connection.RemoteIpAddress;
        var local = remote is null || System.Net.IPAddress.IsLoopback(remote);
        return local && keys.Configured && keys.IsValid(http.Request.Headers[ApiKeys.Header]);
    }
}
