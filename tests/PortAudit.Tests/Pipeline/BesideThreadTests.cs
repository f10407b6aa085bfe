using PortAudit.Common;

namespace PortAudit.Tests.Pipeline;

[Trait(Tier.Name, Tier.Unit)]
public class BesideThreadTests
{
    // A split read's decoding thread aborts the merge at once when a reader fails, but records the failure only once the
    // other readers have stopped: the caller's side, cancelled meanwhile, must still report that failure, not its own
    // cancellation.
    [Fact]
    public void TheWorksFailureIsReportedWhenItAbortedTheCallerBeforeItEnded()
    {
        using var abort = new CancellationTokenSource();

        var error = Assert.Throws<InvalidDataException>(() => BesideThread.Run("portaudit-test",
            work: () =>
            {
                abort.Cancel();
                Thread.Sleep(200);
                throw new InvalidDataException("reader failed");
            },
            own: () =>
            {
                abort.Token.WaitHandle.WaitOne();
                abort.Token.ThrowIfCancellationRequested();
            }));

        Assert.Equal("reader failed", error.Message);
    }

    [Fact]
    public void TheCallersCancellationIsReportedWhenTheWorkDidNotFail()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        Assert.Throws<OperationCanceledException>(() => BesideThread.Run("portaudit-test",
            work: () => Thread.Sleep(50),
            own: () => stop.Token.ThrowIfCancellationRequested()));
    }

    [Fact]
    public void TheCallersOwnFailureComesBeforeTheWorks()
    {
        var error = Assert.Throws<FormatException>(() => BesideThread.Run("portaudit-test",
            work: () => throw new InvalidDataException("work failed"),
            own: () => throw new FormatException("caller failed")));

        Assert.Equal("caller failed", error.Message);
    }
}
