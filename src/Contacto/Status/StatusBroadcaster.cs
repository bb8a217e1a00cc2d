using System.Text;
using Microsoft.AspNetCore.Http;

namespace Contacto.Status;

/// <summary>
/// Fans the current summary out to every open event stream. Each summary is formatted once as an
/// event-stream frame, and one signal wakes every stream to write those same bytes: a publication
/// costs the same whether ten or ten thousand browsers listen, and no stream reads the database.
/// Identical summaries are sent once, so the publisher may publish freely.
/// </summary>
internal sealed class StatusBroadcaster
{
    public const string EventType = "summary";

    /// <summary>One summary as a frame, and the signal that a newer one replaced it.</summary>
    sealed class Edition(byte[] frame)
    {
        public byte[] Frame { get; } = frame;
        public TaskCompletionSource<Edition> Next { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    readonly Lock gate = new();
    Edition? current;
    int subscribers;

    public int SubscriberCount => Volatile.Read(ref subscribers);

    public void Publish(string summaryJson)
    {
        var frame = Encoding.UTF8.GetBytes($"event: {EventType}\ndata: {summaryJson}\n\n");
        lock (gate)
        {
            if (current is not null && current.Frame.AsSpan().SequenceEqual(frame))
                return;
            var previous = current;
            current = new Edition(frame);
            previous?.Next.SetResult(current);
        }
    }

    /// <summary>
    /// The current summary first, then each change until <paramref name="cancellationToken"/> ends
    /// the stream (the client went away or the node stops). A slow reader skips intermediate
    /// summaries, never the latest one. Something must have been published first.
    /// </summary>
    public async Task StreamAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        var edition = Volatile.Read(ref current) ?? throw new InvalidOperationException("Nothing was published yet");
        Interlocked.Increment(ref subscribers);
        try
        {
            while (true)
            {
                await response.BodyWriter.WriteAsync(edition.Frame, cancellationToken);
                await edition.Next.Task.WaitAsync(cancellationToken);
                edition = Volatile.Read(ref current)!;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The stream ends cleanly rather than breaking off.
        }
        finally
        {
            Interlocked.Decrement(ref subscribers);
        }
    }
}
