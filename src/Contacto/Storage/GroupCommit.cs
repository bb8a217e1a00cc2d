using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Contacto.Storage;

/// <summary>
/// Group commit: items from many callers wait in a queue; one loop takes whatever is waiting (up
/// to a batch) and commits it in one go. A caller's task completes once its item is committed, or
/// fails with the batch. The loop starts on first use and drains what is queued on dispose.
/// </summary>
internal sealed partial class GroupCommit<T> : IAsyncDisposable
{
    readonly Func<IReadOnlyList<T>, Task> commit;
    readonly ILogger logger;
    readonly int maxBatch;
    readonly Channel<(T Item, TaskCompletionSource Done)> queue =
        Channel.CreateUnbounded<(T, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    readonly Lazy<Task> loop;

    public GroupCommit(Func<IReadOnlyList<T>, Task> commit, ILogger logger, int maxBatch)
    {
        this.commit = commit;
        this.logger = logger;
        this.maxBatch = maxBatch;
        loop = new Lazy<Task>(() => Task.Run(RunAsync));
    }

    /// <summary>Completes when the item is committed; throws what the commit threw.</summary>
    public Task WriteAsync(T item, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite((item, done)))
            throw new ObjectDisposedException(nameof(GroupCommit<T>), "The writer has stopped");
        _ = loop.Value;
        return done.Task.WaitAsync(cancellationToken);
    }

    async Task RunAsync()
    {
        var batch = new List<(T Item, TaskCompletionSource Done)>(maxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < maxBatch && queue.Reader.TryRead(out var entry))
                batch.Add(entry);
            try
            {
                await commit(batch.Select(b => b.Item).ToList());
                foreach (var entry in batch)
                    entry.Done.TrySetResult();
            }
            catch (Exception e)
            {
                LogCommitFailed(e, batch.Count, typeof(T).Name);
                foreach (var entry in batch)
                    entry.Done.TrySetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        if (loop.IsValueCreated)
            await loop.Value;
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Could not commit a batch of {Count} {Item}")]
    partial void LogCommitFailed(Exception error, int count, string item);
}
