using System.Text;
using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Report.Html;
using PortAudit.Report.Plot;
using PortAudit.Report.Records;

namespace PortAudit.Report.Audits;

/// <summary>
/// The files of an audit's output directory, named in one place: flows.jsonl, written while the run reads, and
/// report.json, report.md and report.html (with its plots, on request), written at the end.
/// </summary>
public static class AuditReportFiles
{
    /// <summary>Every audited flow, one JSON object per line.</summary>
    public const string Flows = "flows.jsonl";

    /// <summary>The report for scripts.</summary>
    public const string Json = "report.json";

    /// <summary>The report for reviews and tickets.</summary>
    public const string Markdown = "report.md";

    /// <summary>The report for people, self-contained.</summary>
    public const string Html = HtmlReport.FileName;

    /// <summary>The findings for spreadsheets, one row each (<see cref="FindingsCsvWriter"/>).</summary>
    public const string FindingsCsv = "findings.csv";

    /// <summary>Every audited flow as Parquet, with <c>audit --parquet</c> (<see cref="AuditedParquetWriter"/>).</summary>
    public const string FlowsParquet = "flows.parquet";

    /// <summary>The findings as Parquet, with <c>audit --parquet</c> (<see cref="FindingsParquetWriter"/>).</summary>
    public const string FindingsParquet = "findings.parquet";

    /// <summary>Creates <paramref name="path"/> (and its parents) if needed.</summary>
    /// <exception cref="InputException">It cannot be created.</exception>
    public static string CreateDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot create the output directory: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Writes report.json, report.md, report.html and findings.csv into <paramref name="output"/> (put in place with the rest of the set
    /// at its commit), and findings.parquet when <paramref name="parquetUids"/> (the run's flow uids) is given, and each plot as pictures (PNG and SVG, <see cref="PictureFiles"/>) into <paramref name="plotsDirectory"/>
    /// when given, linked from report.md; returns the picture files.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired: the writing stopped at its next write.</exception>
    public static IReadOnlyList<string> Write(OutputSet output, AuditReport report, AuditInputs inputs, string? plotsDirectory,
        CancellationToken cancel = default, FlowUids? parquetUids = null)
    {
        // The files are created here, in a fixed order, and filled on two threads: the page, with its plots, on one, the
        // JSON on the other, and the Markdown by whichever of the two is done first. Which is larger depends on the
        // report: the page's plots on a small one, the JSON's findings on one of thousands.
        using var json = output.Create(Json, cancel);
        using var markdown = new StreamWriter(output.Create(Markdown, cancel), new UTF8Encoding(false));
        using var page = output.Create(Html, cancel);
        using var csv = output.Create(FindingsCsv, cancel);
        var parquet = parquetUids is null ? null : output.Create(FindingsParquet, cancel);
        var pictures = plotsDirectory is null ? null : new PictureFiles(CreateDirectory(plotsDirectory), cancel);
        // report.md links the pictures by their names alone, so it need not wait for them.
        string? plotsHref = plotsDirectory is null ? null : RelativePath(output.DirectoryPath, plotsDirectory);
        int markdownTaken = 0;
        void MarkdownIfFirst()
        {
            if (Interlocked.Exchange(ref markdownTaken, 1) == 0)
                AuditMarkdownWriter.Write(markdown, report, ReportScope.Of(inputs), inputs.Provenance, plotsHref);
        }
        BesideThread.Run("portaudit-report", () =>
        {
            HtmlReport.Write(page, report, inputs, pictures);
            MarkdownIfFirst();
        }, () =>
        {
            AuditJsonWriter.Write(json, report, inputs.Provenance);
            FindingsCsvWriter.Write(csv, report);
            if (parquet is not null) FindingsParquetWriter.Write(parquet, report, parquetUids!);
            MarkdownIfFirst();
        });
        return pictures?.Written ?? [];
    }

    /// <summary><paramref name="to"/> as seen from <paramref name="from"/>: relative where a relative path leads there.</summary>
    private static string RelativePath(string from, string to) => Path.GetRelativePath(Path.GetFullPath(from), Path.GetFullPath(to));
}
