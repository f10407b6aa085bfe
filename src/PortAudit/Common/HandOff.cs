namespace PortAudit.Common;

/// <summary>
/// A bounded queue between two threads of a run that blocks without spinning. Batches of thousands of packets cross it,
/// so a wait is rare and long enough that spinning only takes the core the other side needs: with more threads than
/// cores, <c>BlockingCollection</c>'s spin-then-yield cost a quarter of the run's CPU.
/// </summary>
internal sealed class HandOff<T> : IDisposable where T : class
{
    private readonly Queue<T> _items;
    private readonly int _capacity;
    private readonly CancellationTokenRegistration _abort;
    private readonly CancellationToken _token;
    private bool _completed;

    /// <summary>A queue of at most <paramref name="capacity"/> items; <paramref name="abort"/> wakes and fails every wait.</summary>
    public HandOff(int capacity = int.MaxValue, CancellationToken abort = default)
    {
        _items = new Queue<T>(Math.Min(capacity, 16));
        _capacity = capacity;
        _token = abort;
        _abort = abort.Register(static state =>
        {
            var queue = (HandOff<T>)state!;
            lock (queue._items) Monitor.PulseAll(queue._items);
        }, this);
    }

    /// <summary>Adds <paramref name="item"/>, waiting for room; throws <see cref="OperationCanceledException"/> on abort.</summary>
    public void Add(T item)
    {
        lock (_items)
        {
            while (_items.Count >= _capacity)
            {
                _token.ThrowIfCancellationRequested();
                Monitor.Wait(_items);
            }
            _token.ThrowIfCancellationRequested();
            if (_completed) throw new InvalidOperationException("the hand-off was completed");
            _items.Enqueue(item);
            // Both sides may wait on the one monitor (for room and for items): wake them all, few wait.
            Monitor.PulseAll(_items);
        }
    }

    /// <summary>
    /// Takes the next item, waiting for one; false once the queue is completed and empty. Throws
    /// <see cref="OperationCanceledException"/> on abort.
    /// </summary>
    public bool TryTake(out T item)
    {
        lock (_items)
        {
            while (_items.Count == 0)
            {
                _token.ThrowIfCancellationRequested();
                if (_completed)
                {
                    item = null!;
                    return false;
                }
                Monitor.Wait(_items);
            }
            item = _items.Dequeue();
            Monitor.PulseAll(_items);
            return true;
        }
    }

    /// <summary>Takes the next item, waiting for one; throws when the queue is completed and empty.</summary>
    public T Take() => TryTake(out var item) ? item : throw new InvalidOperationException("the hand-off is completed and empty");

    /// <summary>Takes an item only if one is there now.</summary>
    public bool TryTakeNow(out T item)
    {
        lock (_items)
        {
            if (!_items.TryDequeue(out item!)) return false;
            Monitor.PulseAll(_items);
            return true;
        }
    }

    /// <summary>No more items will come: takers get false once the queue is empty.</summary>
    public void Complete()
    {
        lock (_items)
        {
            _completed = true;
            Monitor.PulseAll(_items);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _abort.Dispose();
}
