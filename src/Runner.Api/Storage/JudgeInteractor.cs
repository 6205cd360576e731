namespace Runner.Api.Storage;

/// <summary>A submission's validated interactor (<see cref="Contracts.InteractorRequest"/>).</summary>
public sealed record JudgeInteractor(string Language, string Source);
