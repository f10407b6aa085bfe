using System.Diagnostics;

namespace PortAudit.Tests.Lab;

/// <summary>
/// Two network namespaces one veth pair apart, client01 (10.77.0.100) and fe01 (10.77.0.10) of captures/lab.yaml, for a
/// lab test's real peers: programs run in either, servers kept running until <see cref="Dispose"/>, which ends exactly
/// the processes it started (by their own process) and removes the namespaces and the run's temporary directory.
/// </summary>
internal sealed class TwoHostLab : IDisposable
{
    /// <summary>client01's address.</summary>
    public const string ClientAddress = "10.77.0.100";

    /// <summary>fe01's address.</summary>
    public const string ServerAddress = "10.77.0.10";

    private readonly List<Process> _started = [];

    /// <summary>Names the namespaces after <paramref name="prefix"/> and the test process, so that runs do not meet.</summary>
    public TwoHostLab(string prefix)
    {
        Dir = Directory.CreateTempSubdirectory($"portaudit-{prefix}-").FullName;
        string unique = $"{prefix}{Environment.ProcessId % 10000}";
        ClientNs = unique + "-c";
        ServerNs = unique + "-s";
    }

    /// <summary>An inventory of the lab: fe01's address named <paramref name="server"/> with <paramref name="role"/>, client01's a workstation.</summary>
    public static string Site(string server, string role) => $"""
        hosts:
          - name: {server}
            addresses: [{ServerAddress}]
            roles: [{role}]
          - name: ws
            addresses: [{ClientAddress}]
            roles: [workstation]
        segments:
          - name: lan
            cidrs: [10.77.0.0/24]
            zone: internal
        """;

    /// <summary>A temporary directory for the run's files (captures, configuration), removed with the lab.</summary>
    public string Dir { get; }

    /// <summary>The client's namespace.</summary>
    public string ClientNs { get; }

    /// <summary>The server's namespace.</summary>
    public string ServerNs { get; }

    /// <summary>Makes the server's namespace alone, for a test that needs no traffic.</summary>
    public void AddServerOnly() => Ip("netns", "add", ServerNs);

    /// <summary>
    /// The directory in <see cref="Dir"/> a server writes once it has dropped to <paramref name="user"/> (exim's spool):
    /// made that user's, with <see cref="Dir"/> made traversable and <paramref name="readable"/> (its certificate and
    /// key) readable to all, which a server reads as its user.
    /// </summary>
    public string DirectoryOf(string user, string name, params string[] readable)
    {
        string dir = Path.Combine(Dir, name);
        Directory.CreateDirectory(dir);
        Sources.Live.External.Run("chmod", "711", Dir);
        foreach (var file in readable) Sources.Live.External.Run("chmod", "644", file);
        Sources.Live.External.Run("chown", user, dir);
        return dir;
    }

    /// <summary>Makes both namespaces and the veth pair between them, and waits until both ends carry packets.</summary>
    public void Connect()
    {
        Ip("netns", "add", ClientNs);
        Ip("netns", "add", ServerNs);
        Ip("-n", ClientNs, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", ServerNs);
        foreach (var (ns, address) in new[] { (ClientNs, ClientAddress), (ServerNs, ServerAddress) })
        {
            In(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            Ip("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
            Ip("-n", ns, "link", "set", "lo", "up");
            Ip("-n", ns, "link", "set", "eth0", "up");
        }
        foreach (string ns in new[] { ClientNs, ServerNs })
            WaitUp(ns, "eth0");
    }

    /// <summary>
    /// Waits up to 10 s until <paramref name="device"/> in <paramref name="ns"/> is up. A veth carries nothing until the
    /// kernel's link watch has seen both ends up (its queue discipline drops until then), which can lag by a second or more
    /// on a loaded machine: without the wait the first connection's SYN is lost.
    /// </summary>
    public static void WaitUp(string ns, string device)
    {
        for (int i = 0; i < 100 && !Ip("-n", ns, "-o", "link", "show", device).Contains("state UP", StringComparison.Ordinal); i++)
            Thread.Sleep(100);
        Assert.Contains("state UP", Ip("-n", ns, "-o", "link", "show", device), StringComparison.Ordinal);
    }

    /// <summary>What <see cref="ServePage"/> serves as page.txt.</summary>
    public const string PageText = "through the proxy\n";

    /// <summary>Serves page.txt (<see cref="PageText"/>) with python3's http.server on fe01's <paramref name="port"/>, once it listens.</summary>
    public void ServePage(int port)
    {
        File.WriteAllText(Path.Combine(Dir, "page.txt"), PageText);
        Start(ServerNs, "python3", ["-m", "http.server", "--bind", "0.0.0.0", port.ToString(), "--directory", Dir]);
        WaitListening(ServerNs, "tcp", port, "python3 http.server");
    }

    /// <summary>
    /// Fetches page.txt from <paramref name="target"/> (host:port) with curl on client01, <paramref name="curlOptions"/>
    /// before the URL (a proxy, say); fails the test unless the page came when <paramref name="expectServed"/>, and only then.
    /// </summary>
    public void AssertFetch(string[] curlOptions, string target, bool expectServed)
    {
        var result = Run(ClientNs, "curl", ["-s", "-m", "10", .. curlOptions, $"http://{target}/page.txt"]);
        Assert.True(expectServed == (result.ExitCode == 0 && result.StandardOutput == PageText),
            $"curl {string.Join(' ', curlOptions)} {target}: exit {result.ExitCode}, {result.StandardOutput} {result.StandardError}");
    }

    /// <summary>Runs <paramref name="program"/> in <paramref name="ns"/> to its end; fails the test when it exits non-zero.</summary>
    public string In(string ns, string program, params string[] arguments)
    {
        var result = Run(ns, program, arguments);
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>Runs <paramref name="program"/> in <paramref name="ns"/> to its end, within <paramref name="timeout"/> (30 s by default).</summary>
    public ExternalProgram.Result Run(string ns, string program, string[] arguments, TimeSpan? timeout = null, byte[]? standardInput = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = ExternalProgram.Start("/usr/sbin/ip", ["netns", "exec", ns, program, .. arguments]);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return ExternalProgram.Run(start, timeout ?? TimeSpan.FromSeconds(30), standardInput);
    }

    /// <summary>
    /// Starts <paramref name="program"/> in <paramref name="ns"/> and leaves it running until <see cref="Dispose"/>;
    /// its output is discarded. <c>ip netns exec</c> execs the program, so the process is the program itself. With
    /// <paramref name="holdInput"/> its standard input is a pipe kept open, never written, for a server that ends at the
    /// end of its input (openssl s_server in DTLS, which has no -www).
    /// </summary>
    public Process Start(string ns, string program, string[] arguments, IReadOnlyDictionary<string, string>? environment = null,
        bool holdInput = false)
    {
        var start = ExternalProgram.Start("/usr/sbin/ip", ["netns", "exec", ns, program, .. arguments]);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        start.UseShellExecute = false;
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.RedirectStandardInput = holdInput;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _started.Add(process);
        return process;
    }

    /// <summary>
    /// Answers "ok" to each connection to <paramref name="address"/>:<paramref name="port"/> (fe01's by default) with socat
    /// on the server, once it listens.
    /// </summary>
    /// <remarks>
    /// -t 5 on the server too: when the request's end arrives before the forked echo has written, socat waits that long
    /// for the answer before closing (by default half a second, which a loaded machine's fork overran: "wrote ''"). The
    /// shell reads the request after answering: a bare "echo ok" could exit before the request arrived, and socat's write
    /// of it into the closed pipe (EPIPE) ended the connection before the answer was sent, also "wrote ''".
    /// </remarks>
    public void ListenEcho(int port, string address = ServerAddress)
    {
        Start(ServerNs, "socat", ["-t", "5", $"TCP-LISTEN:{port},bind={address},reuseaddr,fork", "SYSTEM:echo ok; cat >/dev/null"]);
        WaitListening(ServerNs, "tcp", port, "socat");
    }

    /// <summary>
    /// One request from the client to <paramref name="address"/>:<paramref name="port"/> (fe01's by default): answered when
    /// the server wrote back (<see cref="ListenEcho"/>); the detail says what socat saw otherwise.
    /// </summary>
    /// <remarks>
    /// The timeouts allow two SYN retransmissions, so a loaded machine does not pass for a firewall's drop; -t 5 waits for
    /// the answer after the request's end (socat's default half a second was shorter than a loaded server's fork of echo).
    /// </remarks>
    public (bool Answered, string Detail) Request(int port, string address = ServerAddress)
    {
        var result = Run(ClientNs, "socat", ["-T", "5", "-t", "5", "-", $"TCP:{address}:{port},connect-timeout=4"], TimeSpan.FromSeconds(20), "hello\n"u8.ToArray());
        bool answered = result.ExitCode == 0 && result.StandardOutput.Contains("ok", StringComparison.Ordinal);
        return (answered, $"socat exited {result.ExitCode}, wrote '{result.StandardOutput.Trim()}': {result.StandardError.Trim()}");
    }

    /// <summary>Waits up to 10 s until something in <paramref name="ns"/> listens on <paramref name="port"/> (tcp or udp).</summary>
    public void WaitListening(string ns, string transport, int port, string program)
    {
        for (int i = 0; i < 100; i++)
        {
            if (In(ns, "ss", transport == "udp" ? "-Hlnu" : "-Hlnt", $"sport = :{port}").Length > 0) return;
            Thread.Sleep(100);
        }
        Assert.Fail($"{program} did not listen on {port}/{transport}");
    }

    /// <summary>
    /// Starts tcpdump on the client's interface writing <paramref name="path"/> packet by packet; returns once it captures.
    /// Immediate mode, because libpcap otherwise hands packets over a block at a time (up to a second late), and those
    /// still in the ring when the test ends tcpdump would be lost.
    /// </summary>
    public Process CaptureOnClient(string path)
    {
        var tcpdump = Start(ClientNs, "tcpdump", ["-i", "eth0", "-n", "-s", "0", "--immediate-mode", "-U", "-Z", "root", "-w", path]);
        // The file appears once libpcap has the interface open; a moment more lets the filter take.
        for (int i = 0; i < 100 && !File.Exists(path) && !tcpdump.HasExited; i++) Thread.Sleep(100);
        Assert.True(File.Exists(path), "tcpdump did not start capturing");
        Thread.Sleep(300);
        return tcpdump;
    }

    /// <summary>
    /// Stops a capture <see cref="CaptureOnClient"/> started once the traffic is over: when its file has not grown for
    /// 0.6 s (at most 10 s). tcpdump writes each packet as it reads it, but a busy machine (the whole suite on two cores)
    /// can leave it reading well behind the wire, and killing it loses what it has not read.
    /// </summary>
    public static void StopCapture(Process tcpdump, string path)
    {
        long length = -1;
        var quiet = Stopwatch.StartNew();
        for (var total = Stopwatch.StartNew(); total.Elapsed < TimeSpan.FromSeconds(10) && quiet.Elapsed < TimeSpan.FromSeconds(0.6);)
        {
            Thread.Sleep(100);
            long now = new FileInfo(path).Length;
            if (now != length) quiet.Restart();
            length = now;
        }
        Stop(tcpdump);
    }

    /// <summary>Stops <paramref name="process"/> (one this lab started) and waits for it.</summary>
    public static void Stop(Process process)
    {
        if (!process.HasExited) process.Kill();
        process.WaitForExit(5000);
    }

    /// <summary>Runs <c>ip</c> with <paramref name="arguments"/>; fails the test when it exits non-zero.</summary>
    public static string Ip(params string[] arguments)
    {
        var result = ExternalProgram.Run(ExternalProgram.Start("/usr/sbin/ip", arguments), TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, $"ip {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var process in _started)
        {
            Stop(process);
            process.Dispose();
        }
        foreach (string ns in new[] { ClientNs, ServerNs })
            if (File.Exists($"/run/netns/{ns}")) Ip("netns", "del", ns);
        Directory.Delete(Dir, recursive: true);
    }
}
