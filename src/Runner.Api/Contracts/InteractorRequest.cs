namespace Runner.Api.Contracts;

/// <summary>An interactor, testlib convention: run per test as <c>interactor input output answer</c>, piped to the program.</summary>
public sealed record InteractorRequest
{
    /// <summary>The interactor's language id.</summary>
    public string? Language { get; init; }

    /// <summary>The interactor's source.</summary>
    public string? Source { get; init; }
}
