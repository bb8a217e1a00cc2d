using System.Globalization;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Recordings;
using Contacto.Storage;
using Contacto.Webhooks;

namespace Contacto.Voice;

/// <summary>What a call's recording is once it ends: listed, and reported to the customer's callback URL.</summary>
internal sealed record FinishedRecording(Guid Id, string Url, Recording Entry)
{
    static string Whole(double value) => ((long)value).ToString(CultureInfo.InvariantCulture);

    /// <summary>Plivo's fields for the action of a <c>Record</c> verb.</summary>
    public List<KeyValuePair<string, string>> ActionFields() =>
    [
        new("RecordUrl", Url), new("RecordingID", Id.ToString()), new("RecordingDuration", Whole(Entry.Duration.TotalSeconds)),
        new("RecordingDurationMs", Whole(Entry.Duration.TotalMilliseconds)), new("RecordingStartMs", Whole(Entry.StartedAt.ToUnixTimeMilliseconds())),
        new("RecordingEndMs", Whole(Entry.EndedAt.ToUnixTimeMilliseconds())),
    ];
}

/// <summary>
/// Records calls: a recording of a leg goes sealed into the blob store as it happens; once it ends
/// it is listed and, when the customer asked, reported to their callback URL (Plivo's snake_case
/// fields), whether a verb or the API started it.
/// </summary>
internal sealed class CallRecordings(RecordingStore store, RecordingCatalog catalog, WebhookOutbox outbox, ContactoDbContextFactory contexts, TimeProvider time)
{
    public (Guid Id, CallRecording Recording, DateTimeOffset StartedAt) Start(OpenedCall call, MediaSession leg, RecordingOptions options)
    {
        var id = Guid.CreateVersion7();
        return (id, leg.StartRecording(options, store.CreateSink(call.Call.AccountId, id)), time.GetUtcNow());
    }

    public Task<string> UrlAsync(OpenedCall call, Guid id, CancellationToken cancellationToken) => catalog.UrlAsync(call.Call.AccountId, id, cancellationToken);

    /// <summary>Lists the ended recording and sends its callback when there is one.</summary>
    public async Task<FinishedRecording> FinishAsync(OpenedCall opened, Guid id, RecordingSummary summary, DateTimeOffset startedAt,
        Uri? callbackUrl, HttpMethod callbackMethod, CancellationToken cancellationToken)
    {
        var call = opened.Call;
        var entry = await catalog.AddAsync(call.AccountId, id, call.Id, opened.From, opened.To, summary, startedAt, time.GetUtcNow(), cancellationToken);
        var finished = new FinishedRecording(id, await catalog.UrlAsync(call.AccountId, id, cancellationToken), entry);
        if (callbackUrl is null)
            return finished;
        var fields = finished.ActionFields();
        var delivery = await outbox.PrepareAsync(call.AccountId, call.Id.ToString(), callbackUrl.ToString(), callbackMethod.Method,
        [
            new("api_id", Guid.CreateVersion7().ToString()), new("record_url", finished.Url), new("call_uuid", call.Id.ToString()),
            new("recording_id", id.ToString()), new("recording_duration", fields[2].Value), new("recording_duration_ms", fields[3].Value),
            new("recording_start_ms", fields[4].Value), new("recording_end_ms", fields[5].Value),
        ], cancellationToken);
        await using (var db = contexts.CreateForAccount(call.AccountId))
        {
            db.Add(delivery);
            await db.SaveChangesAsync(cancellationToken);
        }
        outbox.Notify();
        return finished;
    }
}
