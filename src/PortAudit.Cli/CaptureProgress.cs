using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources;
using Spectre.Console;

namespace PortAudit.Cli;

/// <summary>
/// One progress line on stderr for the whole read, however many inputs: "file 2 of 5", the capture, packets, flows
/// and throughput, with one bar and percentage over the bytes of every input, then a phase line ("writing reports")
/// once reading is done and the command is still busy. Laid out for 80 columns: the bar is narrow and the file name
/// is shortened to what is left. Spectre's display is not thread-safe and <see cref="TrafficRun.Progress"/> fires on
/// the decoding thread, so that callback only stores a snapshot under a lock; the read itself runs on a worker and the
/// calling thread alone draws, polling the snapshot. Nothing shows for a read that ends within <see cref="Delay"/>.
/// </summary>
internal sealed class CaptureProgress
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(0.5), Refresh = TimeSpan.FromMilliseconds(200);

    // 80 columns less the bar, the percentage ("100%"), the elapsed time ("00:00:00"), a space between columns (as
    // measured in tmux) and one spare column, so that a terminal never wraps the line.
    private const int BarWidth = 14, DescriptionWidth = 80 - BarWidth - 4 - 8 - 3 - 1;

    private readonly object _lock = new();
    private readonly long[] _sizes;
    private readonly string _afterRead;
    private RunProgress? _latest;

    private CaptureProgress(IReadOnlyList<IFlowSource> sources, string afterRead)
    {
        _sizes = sources.Select(s => SizeOf(s.Name)).ToArray();
        _afterRead = afterRead;
    }

    /// <summary>False with --quiet or when stderr is not a terminal, where a bar would only litter logs.</summary>
    public static bool Wanted(bool quiet) => !quiet && !Console.IsErrorRedirected;

    /// <summary>
    /// Runs <paramref name="read"/> (which drives <paramref name="run"/> over <paramref name="sources"/>), under the
    /// progress display when <paramref name="wanted"/>; <paramref name="afterRead"/> names what the command does once
    /// the read is over ("writing reports").
    /// </summary>
    public static T Run<T>(TrafficRun run, bool wanted, IReadOnlyList<IFlowSource> sources, Func<T> read, string afterRead = "finishing") =>
        wanted ? RunShown(run, sources, read, afterRead) : read();

    /// <summary>As <see cref="Run{T}"/> with the display; a method of its own so that Spectre.Console is loaded only for it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T RunShown<T>(TrafficRun run, IReadOnlyList<IFlowSource> sources, Func<T> read, string afterRead)
    {
        var progress = new CaptureProgress(sources, afterRead);
        run.Progress = progress.Record;
        try
        {
            var work = Task.Run(read);
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.Progress().AutoClear(true).AutoRefresh(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = BarWidth },
                    new PercentageColumn(), new ElapsedTimeColumn())
                .Start(progress.Show(work));
            return work.GetAwaiter().GetResult();
        }
        finally
        {
            run.Progress = null;
        }
    }

    /// <summary>As <see cref="Run{T}"/> for a read without a result.</summary>
    public static void Run(TrafficRun run, bool wanted, IReadOnlyList<IFlowSource> sources, Action read) => Run(run, wanted, sources, () =>
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
        long total = _sizes.Sum();
        ProgressTask? bar = null;
        while (!work.Wait(Refresh))
        {
            RunProgress? now;
            lock (_lock) now = _latest;
            if (now is not { } current || clock.Elapsed < Delay) continue;
            bar ??= context.AddTask("reading", maxValue: Math.Max(total, 1));
            // Inputs of unknown size (standard input, gzip) count nothing until they are done: the bar never runs back.
            bar.IsIndeterminate = total == 0 && !current.Finished;
            bar.Value = current.Finished ? bar.MaxValue : Math.Min(Done(current), bar.MaxValue);
            bar.Description = current.Finished ? Markup.Escape(Fit($"{_afterRead}...")) : Describe(current, clock.Elapsed.TotalSeconds);
        }
        if (bar is not null) bar.Value = bar.MaxValue;
        work.GetAwaiter().GetResult();
    };

    // Bytes of the inputs before this one, and of this one so far when its size is known.
    private long Done(RunProgress s)
    {
        long done = 0;
        for (int i = 0; i < s.InputNumber - 1 && i < _sizes.Length; i++) done += _sizes[i];
        int current = s.InputNumber - 1;
        return done + (current >= 0 && current < _sizes.Length && _sizes[current] > 0 ? Math.Min(s.Position, _sizes[current]) : 0);
    }

    /// <summary>The file's size when the bytes read can be compared with it: not for standard input or gzip, which count decompressed bytes.</summary>
    private static long SizeOf(string capture)
    {
        var file = new FileInfo(capture);
        return capture != "-" && file.Exists && !capture.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? file.Length : 0;
    }

    /// <summary>"file 2 of 5 big.pcap 1.8M flows 8.0 MiB/s", the name shortened so that the line fits 80 columns.</summary>
    private static string Describe(RunProgress s, double seconds)
    {
        double perSecond = 1 / Math.Max(seconds, 0.001);
        const double MiB = 1 << 20;
        string input = s.InputCount > 1 ? $"file {s.InputNumber} of {s.InputCount} " : "";
        string counters = $" {Compact(s.Flows)} flows {Compact(s.Bytes / MiB * perSecond)} MiB/s";
        string name = Path.GetFileName(s.Input);
        int room = Math.Max(DescriptionWidth - input.Length - counters.Length, 4);
        if (name.Length > room) name = name[..(room - 1)] + "…";
        return Markup.Escape(Fit(input + name + counters));
    }

    private static string Fit(string outside)
    {
        string text = PortAudit.Report.Text.OutsideText.Terminal(outside); // a file name's escape sequence is shown, not obeyed
        return text.Length <= DescriptionWidth ? text : text[..(DescriptionWidth - 1)] + "…";
    }

    private static string Compact(double n) =>
        n >= 1e9 ? (n / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "G"
        : n >= 1e6 ? (n / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M"
        : n >= 1e4 ? (n / 1e3).ToString("0", CultureInfo.InvariantCulture) + "k"
        : n.ToString(n >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);
}
