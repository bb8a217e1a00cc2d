using System.Buffers.Binary;
using System.Text;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Crypto;
using Contacto.Media.Recording;
using Contacto.Platform;
using Contacto.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Contacto.Recordings;

/// <summary>
/// The recordings an account has: added when a call's recording completes, listed and read
/// through the Recording API, served as WAV (opened chunk by chunk as it streams), and deleted
/// with their audio.
/// </summary>
internal sealed class RecordingCatalog(
    IDbContextFactory<ContactoDbContext> contexts,
    ITenantCrypto crypto,
    RecordingStore store,
    AccountService accounts,
    IOptions<RecordingsOptions> options,
    IConfiguration configuration,
    TimeProvider time)
{
    readonly string publicUrl = options.Value.PublicUrl is { Length: > 0 } configured ? configured.TrimEnd('/') : PublicListener.Url(configuration["Listen:Public"]);

    /// <summary>Where the recording's owner fetches its audio (with the account's credentials).</summary>
    public async Task<string> UrlAsync(Guid accountId, Guid recordingId, CancellationToken cancellationToken)
    {
        var account = await accounts.FindByIdAsync(accountId, cancellationToken) ?? throw new InvalidOperationException("The account no longer exists");
        return Url(account.AuthId, recordingId);
    }

    public string Url(string authId, Guid recordingId) => $"{publicUrl}/v1/Account/{authId}/Recording/{recordingId}.wav";

    /// <summary>Lists a completed recording of a call; its audio is stored already.</summary>
    public async Task<Recording> AddAsync(Guid accountId, Guid recordingId, Guid callId, string from, string to, RecordingSummary summary,
        DateTimeOffset startedAt, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        Recording recording;
        using (var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken))
            recording = new Recording
            {
                Id = recordingId, AccountId = accountId, CallId = callId,
                FromSealed = keys.Seal(Recording.FromPurpose, recordingId, Encoding.UTF8.GetBytes(from)),
                ToSealed = keys.Seal(Recording.ToPurpose, recordingId, Encoding.UTF8.GetBytes(to)),
                SampleRate = summary.Format.SampleRate, Channels = summary.Format.Channels, Frames = summary.Frames,
                StartedAt = startedAt, EndedAt = endedAt, AddedAt = time.GetUtcNow(),
            };
        await using var db = contexts.CreateDbContext();
        db.Add(recording);
        await db.SaveChangesAsync(cancellationToken);
        return recording;
    }

    /// <summary>
    /// Answers with the recording as a WAV file: the header from the catalogue, then the audio as
    /// each chunk opens. A chunk that is missing or altered throws after part was written.
    /// </summary>
    public async Task WriteWavAsync(Recording recording, HttpResponse response, CancellationToken cancellationToken)
    {
        // Checked before anything is sent, so that a lost file is a clear 404 and not a cut response.
        if (!await store.ExistsAsync(recording.AccountId, recording.Id, cancellationToken))
            throw new ApiException(StatusCodes.Status404NotFound, "the recording's audio is no longer stored");
        response.ContentType = "audio/wav";
        response.ContentLength = 44 + recording.Frames * 2 * recording.Channels;
        response.Headers.CacheControl = "private, no-store";
        await response.Body.WriteAsync(WavHeader(recording), cancellationToken);
        await store.ReadAsync(recording.AccountId, recording.Id, response.Body, cancellationToken);
    }

    /// <summary>Deletes the audio, then the entry.</summary>
    public async Task DeleteAsync(ContactoDbContext db, Recording recording, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(recording.AccountId, recording.Id, cancellationToken);
        db.Remove(recording);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>RIFF WAVE, 16-bit PCM.</summary>
    static byte[] WavHeader(Recording recording)
    {
        var data = (int)(recording.Frames * 2 * recording.Channels);
        var header = new byte[44];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 36 + data);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(header, 8);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(22), (short)recording.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), recording.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), recording.SampleRate * 2 * recording.Channels);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(32), (short)(2 * recording.Channels));
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(34), 16);
        Encoding.ASCII.GetBytes("data").CopyTo(header, 36);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(40), data);
        return header;
    }
}
