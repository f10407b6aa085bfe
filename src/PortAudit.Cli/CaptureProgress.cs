using System.Diagnostics;
using System.Globalization;
using PortAudit.Capture;
using PortAudit.Pipeline;
using Spectre.Console;

namespace PortAudit.Cli;

/// <summary>
/// A progress bar on stderr while captures are read: the current capture, how far into it, and packets, bytes and
/// flows per second. Spectre's display is not thread-safe and <see cref="TrafficRun.Progress"/> fires on the
/// decoding thread, so that callback only stores a snapshot under a lock; the read itself runs on a worker and the
/// calling thread alone draws, polling the snapshot. Nothing shows for a read that ends within <see cref="Delay"/>.
/// </summary>
internal sealed class CaptureProgress
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(0.5), Refresh = TimeSpan.FromMilliseconds(200);

    private readonly object _lock = new();
    private RunProgress? _latest;

    /// <summary>False with --quiet or when stderr is not a terminal, where a bar would only litter logs.</summary>
    public static bool Wanted(bool quiet) => !quiet && !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="read"/> (which drives <paramref name="run"/>), under the progress display when <paramref name="wanted"/>.</summary>
    public static T Run<T>(TrafficRun run, bool wanted, Func<T> read)
    {
        if (!wanted) return read();
        var progress = new CaptureProgress();
        run.Progress = progress.Record;
        try
        {
            var work = Task.Run(read);
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.Progress().AutoClear(true).AutoRefresh(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(progress.Show(work));
            return work.GetAwaiter().GetResult();
        }
        finally
        {
            run.Progress = null;
        }
    }

    /// <summary>As <see cref="Run{T}"/> for a read without a result.</summary>
    public static void Run(TrafficRun run, bool wanted, Action read) => Run(run, wanted, () =>
    {
        read();
        return true;
    });

    // Decoding thread: only stores the snapshot.
    private void Record(RunProgress snapshot)
    {
        lock (_lock) _latest = snapshot;
    }

    private Action<ProgressContext> Show(Task work) => context =>
    {
        var clock = Stopwatch.StartNew();
        ProgressTask? bar = null;
        string? capture = null;
        while (!work.Wait(Refresh))
        {
            RunProgress? now;
            lock (_lock) now = _latest;
            if (now is not { } current || clock.Elapsed < Delay) continue;
            string description = Describe(current, clock.Elapsed.TotalSeconds);
            bar ??= context.AddTask(description);
            if (capture != current.Input)
            {
                capture = current.Input;
                long size = SizeOf(capture);
                bar.IsIndeterminate = size <= 0;
                bar.MaxValue = Math.Max(size, 1);
            }
            bar.Value = Math.Min(current.Position, bar.MaxValue);
            bar.Description = description;
        }
        if (bar is not null) bar.Value = bar.MaxValue;
        work.GetAwaiter().GetResult();
    };

    /// <summary>The file's size when the bytes read can be compared with it: not for standard input or gzip, which count decompressed bytes.</summary>
    private static long SizeOf(string capture)
    {
        var file = new FileInfo(capture);
        return capture != "-" && file.Exists && !capture.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? file.Length : 0;
    }

    /// <summary>Short enough for an 80-column terminal next to the bar: "big.pcap 2.0M pkt 136k/s, 118 MiB 8 MiB/s, 1.8M flows 122k/s".</summary>
    private static string Describe(RunProgress s, double seconds)
    {
        double perSecond = 1 / Math.Max(seconds, 0.001);
        const double MiB = 1 << 20;
        string input = s.InputCount > 1 ? $"{s.InputNumber}/{s.InputCount} " : "";
        return $"{input}{Markup.Escape(Path.GetFileName(s.Input))} {Compact(s.Packets)} pkt {Compact(s.Packets * perSecond)}/s, " +
               $"{Compact(s.Bytes / MiB)} MiB {Compact(s.Bytes / MiB * perSecond)} MiB/s, {Compact(s.Flows)} flows {Compact(s.Flows * perSecond)}/s";
    }

    private static string Compact(double n) =>
        n >= 1e9 ? (n / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "G"
        : n >= 1e6 ? (n / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M"
        : n >= 1e4 ? (n / 1e3).ToString("0", CultureInfo.InvariantCulture) + "k"
        : n.ToString(n >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);
}
