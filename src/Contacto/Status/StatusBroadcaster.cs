using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Contacto.Status;

/// <summary>
/// Fans the current summary out to every open event stream. Identical summaries are sent once, so
/// any part of the platform (or a periodic check that sees another node's changes) may publish freely.
/// </summary>
public sealed class StatusBroadcaster
{
    public const string EventType = "summary";

    readonly Lock gate = new();
    readonly List<Channel<string>> subscribers = [];
    string? last;

    public int SubscriberCount
    {
        get
        {
            lock (gate)
                return subscribers.Count;
        }
    }

    public void Publish(string summaryJson)
    {
        lock (gate)
        {
            if (summaryJson == last)
                return;
            last = summaryJson;
            foreach (var subscriber in subscribers)
                subscriber.Writer.TryWrite(summaryJson);
        }
    }

    /// <summary>The current summary first, then each change until the client goes away or the node stops.</summary>
    public async IAsyncEnumerable<SseItem<string>> SubscribeAsync(string current, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A slow reader loses intermediate states, never the latest one.
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (gate)
            subscribers.Add(channel);
        try
        {
            yield return new SseItem<string>(current, EventType);
            while (await NextOrNullAsync(channel.Reader, cancellationToken) is { } summary)
                yield return new SseItem<string>(summary, EventType);
        }
        finally
        {
            lock (gate)
                subscribers.Remove(channel);
        }
    }

    /// <summary>Null once cancelled: the stream then ends cleanly rather than breaking off.</summary>
    static async Task<string?> NextOrNullAsync(ChannelReader<string> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
