using System.Text.Json;

namespace PortAudit.Tests.Lab;

/// <summary>
/// A test that runs one of tools/lab's scripts end to end with this build of portaudit, under a time bound, into a
/// directory of its own (capture and inventory in DIR/out, the live audit's reports in DIR/report), and reads what the
/// audit wrote.
/// </summary>
public abstract class LabScriptTest : IDisposable
{
    private readonly string _script;
    private readonly TimeSpan _bound;
    private bool _passed;

    /// <summary>
    /// A run of tools/lab/<paramref name="script"/> whose namespaces start with <paramref name="prefix"/> and this test
    /// process's id, so a lab someone runs by hand does not collide with the test's.
    /// </summary>
    protected LabScriptTest(string script, string prefix, TimeSpan bound)
    {
        _script = script;
        _bound = bound;
        Prefix = $"{prefix}{Environment.ProcessId % 10000}";
        Dir = Directory.CreateTempSubdirectory($"portaudit-{prefix}-").FullName;
    }

    /// <summary>The run's directory.</summary>
    protected string Dir { get; }

    /// <summary>The prefix of the run's namespaces (the script's --prefix).</summary>
    protected string Prefix { get; }

    /// <summary>Deletes the run's directory, unless a check failed: then it stays for whoever reads the failure.</summary>
    public void Dispose()
    {
        if (_passed) Directory.Delete(Dir, recursive: true);
    }

    /// <summary>
    /// Runs the test's checks of the run; a failure names the run's directory, which is kept. A lab run depends on real
    /// daemons and timing, and a failure on a CI machine is only understood from its capture and reports.
    /// </summary>
    protected void Check(Action checks)
    {
        try
        {
            checks();
            _passed = true;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nThe run's capture, inventory and reports are kept in {Dir}.", e);
        }
    }

    /// <summary>Runs the script; its exit code, and its standard error then output.</summary>
    protected (int Exit, string Output) RunScript()
    {
        // timeout(1) sends SIGTERM first, so the script's trap still removes what it built.
        var start = ExternalProgram.Start("timeout",
        [
            "--kill-after=10", ((int)_bound.TotalSeconds).ToString(), "bash", SharedData.InRepository($"tools/lab/{_script}"),
            "--out", Path.Combine(Dir, "out"), "--report", Path.Combine(Dir, "report"), "--prefix", Prefix,
        ]);
        start.Environment["PORTAUDIT"] =
            $"{Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet"} {Path.Combine(AppContext.BaseDirectory, "portaudit.dll")}";
        var result = ExternalProgram.Run(start, _bound + TimeSpan.FromSeconds(15));
        return (result.ExitCode, result.StandardError + result.StandardOutput);
    }

    /// <summary>The live audit's flows.jsonl.</summary>
    protected List<JsonElement> Flows() =>
        File.ReadLines(Path.Combine(Dir, "report", "flows.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();

    /// <summary>The live audit's report.json.</summary>
    protected JsonDocument Report() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "report", "report.json")));

    /// <summary>There are flows from <paramref name="client"/> to <paramref name="server"/>'s port, all labelled and judged so.</summary>
    protected static void AssertFlow(List<JsonElement> flows, string transport, string client, string server, int port,
        string app, string verdict)
    {
        var matching = flows.Where(f => Text(f, "transport") == transport && Text(f, "clientHost") == client
            && Text(f, "serverHost") == server && f.GetProperty("serverPort").GetInt32() == port).ToList();
        Assert.True(matching.Count > 0, $"no {transport} flow {client} -> {server}:{port}");
        Assert.All(matching, f =>
        {
            Assert.Equal(app, Text(f, "app"));
            Assert.Equal(verdict, Text(f, "verdict"));
        });
    }

    /// <summary>A string property, null when JSON null.</summary>
    protected static string? Text(JsonElement element, string name) =>
        element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).GetString();
}
