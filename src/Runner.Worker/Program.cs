using Microsoft.Extensions.Hosting;
using Runner.Api.Hosting;

// The worker role alone: a Hangfire server judging submissions from the shared database.
// Scale out by starting more of these, on this machine or others, with the same
// ConnectionStrings:Runner.
var builder = Host.CreateApplicationBuilder(args);
builder.AddRunnerWorker();
builder.Build().Run();
