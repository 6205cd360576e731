using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Runner.Api.Security;

namespace Runner.Api.Hosting;

/// <summary>Title, description and the X-Api-Key scheme of the served (and committed) OpenAPI document.</summary>
internal sealed class OpenApiDocumentInfo : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Runner",
            Version = "v1",
            Description = "Judge and runner service for untrusted code. Errors are RFC 7807 application/problem+json.",
        };
        // Servers depend on how the document was requested; leaving them out keeps the committed copy stable.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeys.Header,
            Description = "Required when the server has Runner:ApiKeys configured.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] }];
        return Task.CompletedTask;
    }
}
