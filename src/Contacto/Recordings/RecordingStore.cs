using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Contacto.Crypto;
using Contacto.Media.Recording;
using Microsoft.Extensions.Logging;

namespace Contacto.Recordings;

/// <summary>What a stored recording holds: its format, its audio's length, and how it ended (null when it never finished, as after a crash).</summary>
internal sealed record StoredRecording(RecordingFormat Format, long Frames, int Chunks, RecordingSummary? Summary)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / Format.SampleRate);
}

/// <summary>
/// Call recordings at rest: each chunk the media library hands over is sealed with AES-256-GCM
/// under the account's data key (the field envelope of <see cref="ITenantCrypto"/>, purpose
/// <c>recording.chunk</c>, bound to the account and the recording's id) and stored as its own
/// blob as soon as it fills, so a crash leaves every completed chunk readable. The sealed
/// plaintext starts with the chunk's header (index, first frame, format), so a chunk moved to
/// another place in the recording, or to another recording, is refused when read. When the
/// recording ends its summary is sealed and stored beside the chunks.
/// </summary>
internal sealed partial class RecordingStore(ITenantCrypto crypto, IBlobStore blobs, ILogger<RecordingStore> logger)
{
    internal const string ChunkPurpose = "recording.chunk";
    internal const string SummaryPurpose = "recording.summary";
    private const string ChunkSuffix = ".chunk";
    private const string SummaryName = "summary";

    /// <summary>The sink a call's recording streams into; one per recording.</summary>
    public IRecordingSink CreateSink(Guid accountId, Guid recordingId) => new SealingSink(this, accountId, recordingId);

    /// <summary>
    /// Opens every chunk in order and writes the audio (16-bit little-endian PCM, interleaved when
    /// stereo) to <paramref name="destination"/>; null when nothing of the recording is stored.
    /// Throws <see cref="InvalidDataException"/> when a chunk is missing, moved or altered: then
    /// discard what was written.
    /// </summary>
    public async Task<StoredRecording?> ReadAsync(Guid accountId, Guid recordingId, Stream destination, CancellationToken cancellationToken = default)
    {
        var folder = Folder(accountId, recordingId);
        var keys = await blobs.ListAsync(folder, cancellationToken);
        var chunkKeys = keys.Where(k => k.EndsWith(ChunkSuffix, StringComparison.Ordinal)).ToList();
        var hasSummary = keys.Contains(folder + SummaryName);
        if (chunkKeys.Count == 0 && !hasSummary)
        {
            return null;
        }
        RecordingFormat? format = null;
        long frames = 0;
        for (var index = 0; index < chunkKeys.Count; index++)
        {
            if (chunkKeys[index] != ChunkKey(folder, index))
            {
                throw new InvalidDataException($"Chunk {index} of the recording is missing.");
            }
            var sealedChunk = await blobs.GetAsync(chunkKeys[index], cancellationToken)
                ?? throw new InvalidDataException($"Chunk {index} of the recording is missing.");
            var plaintext = await OpenAsync(accountId, ChunkPurpose, recordingId, sealedChunk, cancellationToken);
            try
            {
                var header = ChunkHeader.Read(plaintext);
                if (header.Index != index || header.FirstFrame != frames || (format is { } known && known != header.Format))
                {
                    throw new InvalidDataException($"Chunk {index} of the recording does not belong at its place.");
                }
                format = header.Format;
                var pcm = plaintext.AsMemory(ChunkHeader.Size);
                await destination.WriteAsync(pcm, cancellationToken);
                frames += pcm.Length / header.Format.BytesPerFrame;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
        RecordingSummary? summary = null;
        if (hasSummary)
        {
            var sealedSummary = await blobs.GetAsync(folder + SummaryName, cancellationToken)
                ?? throw new InvalidDataException("The recording's summary is missing.");
            summary = JsonSerializer.Deserialize<SummaryDocument>(await OpenAsync(accountId, SummaryPurpose, recordingId, sealedSummary, cancellationToken))!.ToSummary();
            if (summary.Chunks != chunkKeys.Count || summary.Frames != frames)
            {
                throw new InvalidDataException("The recording's chunks do not add up to its summary.");
            }
            format ??= summary.Format;
        }
        return new StoredRecording(format!.Value, frames, chunkKeys.Count, summary);
    }

    /// <summary>Whether anything of the recording is stored.</summary>
    public async Task<bool> ExistsAsync(Guid accountId, Guid recordingId, CancellationToken cancellationToken = default) =>
        (await blobs.ListAsync(Folder(accountId, recordingId), cancellationToken)).Count > 0;

    /// <summary>Deletes every blob of the recording.</summary>
    public async Task DeleteAsync(Guid accountId, Guid recordingId, CancellationToken cancellationToken = default)
    {
        foreach (var key in await blobs.ListAsync(Folder(accountId, recordingId), cancellationToken))
        {
            await blobs.DeleteAsync(key, cancellationToken);
        }
    }

    internal static string Folder(Guid accountId, Guid recordingId) => $"recordings/{accountId:N}/{recordingId:N}/";

    private static string ChunkKey(string folder, int index) => $"{folder}{index.ToString("D8", CultureInfo.InvariantCulture)}{ChunkSuffix}";

    private async Task<byte[]> OpenAsync(Guid accountId, string purpose, Guid recordingId, byte[] envelope, CancellationToken cancellationToken)
    {
        try
        {
            return await crypto.OpenAsync(accountId, purpose, recordingId, envelope, cancellationToken);
        }
        catch (CryptographicException error)
        {
            throw new InvalidDataException("A blob of the recording does not open under its account, recording and purpose.", error);
        }
    }

    private async Task StoreChunkAsync(Guid accountId, Guid recordingId, RecordingChunk chunk, CancellationToken cancellationToken)
    {
        var plaintextLength = ChunkHeader.Size + chunk.Pcm.Length;
        var sealedLength = FieldEnvelope.SealedLength(plaintextLength);
        var buffer = ArrayPool<byte>.Shared.Rent(plaintextLength + sealedLength);
        try
        {
            var plaintext = buffer.AsMemory(0, plaintextLength);
            new ChunkHeader(chunk.Index, chunk.FirstFrame, chunk.Format, chunk.IsLast).Write(plaintext.Span);
            chunk.Pcm.Span.CopyTo(plaintext.Span[ChunkHeader.Size..]);
            var envelope = buffer.AsMemory(plaintextLength, sealedLength);
            using (var lease = await crypto.LeaseKeysAsync(accountId, cancellationToken))
            {
                lease.Seal(ChunkPurpose, recordingId, plaintext.Span, envelope.Span);
            }
            CryptographicOperations.ZeroMemory(plaintext.Span);
            await blobs.PutAsync(ChunkKey(Folder(accountId, recordingId), chunk.Index), envelope, cancellationToken);
        }
        catch (Exception error)
        {
            LogChunkNotStored(logger, error, chunk.Index, recordingId);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private async Task StoreSummaryAsync(Guid accountId, Guid recordingId, RecordingSummary summary, CancellationToken cancellationToken)
    {
        try
        {
            var document = JsonSerializer.SerializeToUtf8Bytes(SummaryDocument.From(summary));
            var envelope = await crypto.SealAsync(accountId, SummaryPurpose, recordingId, document, cancellationToken);
            await blobs.PutAsync(Folder(accountId, recordingId) + SummaryName, envelope, cancellationToken);
        }
        catch (Exception error)
        {
            LogSummaryNotStored(logger, error, recordingId);
            throw;
        }
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Error, Message = "Chunk {Index} of recording {RecordingId} could not be sealed and stored; the recording ends with the chunks before it")]
    private static partial void LogChunkNotStored(ILogger logger, Exception error, int index, Guid recordingId);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Error, Message = "The summary of recording {RecordingId} could not be sealed and stored; its chunks stay readable")]
    private static partial void LogSummaryNotStored(ILogger logger, Exception error, Guid recordingId);

    private sealed class SealingSink(RecordingStore store, Guid accountId, Guid recordingId) : IRecordingSink
    {
        public ValueTask WriteChunkAsync(RecordingChunk chunk, CancellationToken cancellationToken) =>
            new(store.StoreChunkAsync(accountId, recordingId, chunk, cancellationToken));

        public ValueTask CompleteAsync(RecordingSummary summary, CancellationToken cancellationToken) =>
            new(store.StoreSummaryAsync(accountId, recordingId, summary, cancellationToken));
    }

    /// <summary>
    /// The first bytes of a chunk's sealed plaintext: version 1 (1), index (4), first frame (8),
    /// sample rate (4, all big-endian), channels (1), flags (1: 1 = the last chunk).
    /// </summary>
    private readonly record struct ChunkHeader(int Index, long FirstFrame, RecordingFormat Format, bool IsLast)
    {
        public const int Size = 19;
        private const byte Version = 1;

        public void Write(Span<byte> into)
        {
            into[0] = Version;
            BinaryPrimitives.WriteInt32BigEndian(into[1..], Index);
            BinaryPrimitives.WriteInt64BigEndian(into[5..], FirstFrame);
            BinaryPrimitives.WriteInt32BigEndian(into[13..], Format.SampleRate);
            into[17] = (byte)Format.Channels;
            into[18] = IsLast ? (byte)1 : (byte)0;
        }

        public static ChunkHeader Read(ReadOnlySpan<byte> from)
        {
            if (from.Length < Size || from[0] != Version || from[17] is not (1 or 2))
            {
                throw new InvalidDataException("A chunk of the recording has no valid header.");
            }
            var format = new RecordingFormat(BinaryPrimitives.ReadInt32BigEndian(from[13..]), from[17]);
            if ((from.Length - Size) % format.BytesPerFrame != 0)
            {
                throw new InvalidDataException("A chunk of the recording holds a partial frame.");
            }
            return new ChunkHeader(BinaryPrimitives.ReadInt32BigEndian(from[1..]), BinaryPrimitives.ReadInt64BigEndian(from[5..]), format, from[18] == 1);
        }
    }

    private sealed record SummaryDocument(int SampleRate, int Channels, long Frames, int Chunks, RecordingEndReason Reason, string? FinishKey)
    {
        public static SummaryDocument From(RecordingSummary summary) =>
            new(summary.Format.SampleRate, summary.Format.Channels, summary.Frames, summary.Chunks, summary.Reason, summary.FinishKey?.ToString());

        public RecordingSummary ToSummary() =>
            new(new RecordingFormat(SampleRate, Channels), Frames, Chunks, Reason, FinishKey is { Length: 1 } key ? key[0] : null);
    }
}
