namespace PortAudit.Fuzz;

/// <summary>
/// One long-lived thread that runs inputs one at a time, so that the harness can wait with a timeout and, when an input
/// hangs, give up on the thread rather than on the process.
/// </summary>
public sealed class InputWorker : IDisposable
{
    private readonly Thread _thread;
    private readonly SemaphoreSlim _ready = new(0);
    private volatile InputJob? _job;
    private volatile bool _stopping;

    /// <summary>Starts the thread with a stack of <paramref name="stackBytes"/>.</summary>
    public InputWorker(int stackBytes)
    {
        _thread = new Thread(Loop, stackBytes) { IsBackground = true, Name = "fuzz input" };
        _thread.Start();
    }

    /// <summary>Hands <paramref name="run"/> to the thread.</summary>
    public InputJob Start(Func<FuzzVerdict> run)
    {
        var job = new InputJob(run);
        _job = job;
        _ready.Release();
        return job;
    }

    private void Loop()
    {
        while (true)
        {
            _ready.Wait();
            if (_stopping) return;
            _job!.Execute();
        }
    }

    /// <summary>Lets the thread end once it is idle (a hung one is a background thread and dies with the process).</summary>
    public void Dispose()
    {
        _stopping = true;
        _ready.Release();
    }
}

/// <summary>One input's run: its verdict, or the exception that escaped.</summary>
public sealed class InputJob(Func<FuzzVerdict> run)
{
    private readonly ManualResetEventSlim _done = new();

    /// <summary>The verdict when the run returned.</summary>
    public FuzzVerdict Result { get; private set; }

    /// <summary>What escaped the run, or null.</summary>
    public Exception? Exception { get; private set; }

    /// <summary>Waits for the end; false when <paramref name="timeout"/> passed first.</summary>
    public bool Wait(TimeSpan timeout) => _done.Wait(timeout);

    internal void Execute()
    {
        try
        {
            Result = run();
        }
        catch (Exception ex)
        {
            Exception = ex;
        }
        finally
        {
            _done.Set();
        }
    }
}
