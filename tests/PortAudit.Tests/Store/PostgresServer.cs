using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PortAudit.Tests.Store;

/// <summary>
/// A PostgreSQL server of the test's own: initdb and pg_ctl in a temporary directory, on a free port of 127.0.0.1,
/// trust authentication, fsync off (nothing here needs to survive a crash of the machine). As root, the server runs
/// as the <c>postgres</c> user through runuser, since postgres refuses to run as root.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _root = Directory.CreateTempSubdirectory("portaudit-pg-").FullName;

    private PostgresServer(string bin)
    {
        _bin = bin;
        Port = FreePort();
        if (IsRoot) Run("chown", $"postgres {_root}");
        Pg("initdb", $"-D {Data} -A trust -U portaudit --no-sync -E UTF8");
        Start();
    }

    /// <summary>Starts a server; fails when it cannot (a test that asked for one must not pass without it).</summary>
    public static PostgresServer Start(out string url)
    {
        var server = new PostgresServer(FindBin() ?? throw new InvalidOperationException(Unavailable));
        url = server.Url("secret");
        return server;
    }

    /// <summary>Why no server can start here, or null when one can.</summary>
    public static string? Unavailable => FindBin() is null
        ? "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        : IsRoot && !UserExists("postgres") ? "running as root without a postgres user to run the server as" : null;

    /// <summary>The port.</summary>
    public int Port { get; }

    private string Data => Path.Combine(_root, "data");

    /// <summary>A URL of the server's postgres database; the server trusts every login, the password is there to be hidden.</summary>
    public string Url(string password) => $"postgresql://portaudit:{password}@127.0.0.1:{Port}/postgres";

    /// <summary>Starts the server and waits until it takes connections.</summary>
    public void Start() =>
        Pg("pg_ctl", $"-D {Data} -l {Path.Combine(_root, "log")} -w -t 60 -o \"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off\" start");

    /// <summary>Stops the server (fast: open sessions are ended, as at a restart by an administrator).</summary>
    public void Stop() => Pg("pg_ctl", $"-D {Data} -m fast -w -t 60 stop");

    /// <summary>Runs a query through psql and returns its single value.</summary>
    public string Scalar(string sql) =>
        Run("psql", $"-h 127.0.0.1 -p {Port} -U portaudit -d postgres -tAc \"{sql}\"").Trim();

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }
        Directory.Delete(_root, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private void Pg(string tool, string arguments)
    {
        string path = Path.Combine(_bin, tool);
        if (IsRoot) Run("runuser", $"-u postgres -- {path} {arguments}");
        else Run(path, arguments);
    }

    private static string Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {error.Result}");
        return output;
    }

    private static string? FindBin()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static bool UserExists(string name) => File.ReadLines("/etc/passwd").Any(line => line.StartsWith(name + ":", StringComparison.Ordinal));

    /// <summary>A TCP port of 127.0.0.1 free a moment ago: the listener that found it is closed again.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A fact that needs a PostgreSQL server of its own; skipped, with the reason, where none can start.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <param name="shared">A path under ../shared the test reads too, or null.</param>
    public PostgresFactAttribute(string? shared = null)
    {
        if (PostgresServer.Unavailable is { } reason) Skip = reason;
        else if (shared is not null && !SharedData.Exists(shared)) Skip = $"../shared/{shared} not found";
    }
}
