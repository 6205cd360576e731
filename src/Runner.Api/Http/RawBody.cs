namespace Runner.Api.Http;

/// <summary>
/// Endpoint metadata: the body is not JSON but one of these media types (a problem zip), so
/// <see cref="JsonContentType"/> checks for them instead.
/// </summary>
public sealed record RawBody(params string[] MediaTypes);
