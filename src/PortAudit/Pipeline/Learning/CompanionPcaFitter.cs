using System.Diagnostics;
using System.Globalization;
using PortAudit.Audit.Anomaly;
using PortAudit.Common;

namespace PortAudit.Pipeline.Learning;

/// <summary>
/// Fits the PCAs in the learning companion, <c>portaudit-learn.dll</c> beside the running program, started with the
/// <c>dotnet</c> host: Microsoft.ML generates code at run time, which the ahead-of-time compiled portaudit cannot, so
/// training runs under the JIT in a process of its own while the audit only evaluates the exported parameters. The
/// groups go to it as a text file and come back as one (see src/PortAudit.Learn).
/// </summary>
public sealed class CompanionPcaFitter : IPcaFitter
{
    /// <summary>The companion's file name, beside portaudit.</summary>
    public const string Assembly = "portaudit-learn.dll";

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(30);

    /// <summary>Where the companion is looked for: the running program's directory.</summary>
    public string Directory { get; init; } = AppContext.BaseDirectory;

    /// <summary>Ends the companion when it fires (<see cref="OperationCanceledException"/>): a signal stops learning within its grace.</summary>
    public CancellationToken Abandon { get; init; }

    /// <inheritdoc />
    /// <exception cref="InputException">The companion or the dotnet host is missing, or the companion failed.</exception>
    public IReadOnlyDictionary<string, PcaParameters> Fit(IReadOnlyDictionary<string, List<double[]>> groups)
    {
        string companion = Path.Combine(Directory, Assembly);
        if (!File.Exists(companion))
            throw new InputException($"{companion}: the learning companion is missing; it is built beside portaudit (dotnet build src/PortAudit.Cli, tools/publish.sh)");
        string training = Path.GetTempFileName(), parameters = Path.GetTempFileName();
        try
        {
            using (var writer = new StreamWriter(training))
            {
                foreach (var (group, rows) in groups)
                    foreach (var row in rows)
                        writer.WriteLine($"{group}\t{string.Join(",", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
            }
            Run(companion, training, parameters, Abandon);
            return Read(parameters);
        }
        finally
        {
            File.Delete(training);
            File.Delete(parameters);
        }
    }

    private static void Run(string companion, string training, string parameters, CancellationToken abandon)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { companion, training, parameters }) start.ArgumentList.Add(argument);
        // LightGBM and the randomized SVD are reproducible on one thread; the PCA is cheap at these sizes.
        start.Environment["OMP_NUM_THREADS"] = "1";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InputException($"{companion}: could not start the dotnet host");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InputException($"{companion}: the learning companion runs on the dotnet host, which could not be started ({ex.Message}); install the .NET 10 runtime", ex);
        }
        using (process)
        using (abandon.Register(() => process.Kill(entireProcessTree: true)))
        {
            var output = process.StandardOutput.ReadToEndAsync();
            string errors = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                throw new InputException($"{companion}: the learning companion did not finish within {Limit.TotalMinutes} minutes");
            }
            output.Wait();
            abandon.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
                throw new InputException($"{companion}: the learning companion failed (exit {process.ExitCode}): {errors.Trim()}");
        }
    }

    private static Dictionary<string, PcaParameters> Read(string path)
    {
        var means = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var directions = new Dictionary<string, List<double[]>>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(path))
        {
            var fields = line.Split('\t');
            if (fields.Length != 3) throw new InputException($"{path}: the learning companion wrote an unreadable line '{line}'");
            var values = fields[2].Split(',').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            if (fields[1] == "mean") means[fields[0]] = values;
            else (directions.TryGetValue(fields[0], out var list) ? list : directions[fields[0]] = []).Add(values);
        }
        return means.ToDictionary(m => m.Key, m => new PcaParameters(m.Value, [.. directions.GetValueOrDefault(m.Key) ?? []]), StringComparer.Ordinal);
    }
}
