using Microsoft.Extensions.Hosting;
using Runner.Api.Hosting;

// The worker role alone: a Hangfire server judging submissions from the shared database.
// Scale out by starting more of these, on this machine or others, with the same
// ConnectionStrings:Runner. The content root is the binary's directory, so the appsettings.json
// beside Runner.Worker.dll is read whatever the current directory is.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = HostArgs.WithServiceDefaults(args), ContentRootPath = AppContext.BaseDirectory });
builder.AddRunnerWorker();
builder.Build().Run();
