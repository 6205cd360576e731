using Runner.Api.Hosting;

// The content root is the directory of the binary, not the current directory: appsettings.json
// beside Runner.Api.dll is read however the process is started (dotnet run, a container, systemd).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HostArgs.WithServiceDefaults(args), ContentRootPath = AppContext.BaseDirectory });
builder.AddRunnerServices();
var app = builder.Build();
app.MapRunner();
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
