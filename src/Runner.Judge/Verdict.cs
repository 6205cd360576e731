namespace Runner.Judge;

/// <summary>The judge's verdicts; README.md#verdicts documents each as a contract.</summary>
public enum Verdict
{
    Accepted,
    WrongAnswer,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    RuntimeError,
    CompilationError,
    /// <summary>The judge, the sandbox or the checker failed: never a verdict against the submission.</summary>
    InternalError,
}

public static class VerdictNames
{
    /// <summary>The contract name: accepted, wrong_answer, time_limit_exceeded, ...</summary>
    public static string Of(Verdict verdict) => verdict switch
    {
        Verdict.Accepted => "accepted",
        Verdict.WrongAnswer => "wrong_answer",
        Verdict.TimeLimitExceeded => "time_limit_exceeded",
        Verdict.MemoryLimitExceeded => "memory_limit_exceeded",
        Verdict.OutputLimitExceeded => "output_limit_exceeded",
        Verdict.RuntimeError => "runtime_error",
        Verdict.CompilationError => "compilation_error",
        Verdict.InternalError => "internal_error",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "verdict has no contract name"),
    };
}
