using Runner.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRunnerServices();
var app = builder.Build();
app.MapRunner();
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
