namespace Runner.Judge.Pipeline;

/// <summary>
/// A first run showed that the interpreter refused the source (see
/// <see cref="Languages.CompileErrorAtRun"/>): the submission's compile failure, raised from
/// wherever the tests are being run and reported by the pipeline like a failed compile step.
/// </summary>
internal sealed class CompileFailedAtRun(CompileReport report) : Exception(report.Message)
{
    public CompileReport Report { get; } = report;
}
