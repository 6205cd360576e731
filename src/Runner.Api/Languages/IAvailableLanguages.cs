using Runner.Api.Contracts;

namespace Runner.Api.Languages;

/// <summary>The languages this host can judge, with detected versions.</summary>
public interface IAvailableLanguages
{
    IReadOnlyList<LanguageView> Available { get; }
}
