namespace Contacto.Media.Recording;

/// <summary>Which audio of a leg a recording keeps.</summary>
public enum RecordedAudio
{
    /// <summary>What the far end says (Plivo's Record verb).</summary>
    Inbound,

    /// <summary>What the call plays to the far end (for a bridged leg: the other party).</summary>
    Outbound,

    /// <summary>Both: mixed in mono, or inbound left and outbound right in stereo.</summary>
    Both,
}

/// <summary>Why a recording stopped.</summary>
public enum RecordingEndReason
{
    Stopped,
    MaxDuration,
    Silence,
    FinishKey,
    CallEnded,

    /// <summary>The sink failed or fell more than <see cref="RecordingOptions.MaxPendingChunks"/> chunks behind; the chunks before it are whole.</summary>
    SinkFailed,
}

public sealed record RecordingOptions
{
    public RecordedAudio Audio { get; init; } = RecordedAudio.Inbound;

    /// <summary>Two channels (only with <see cref="RecordedAudio.Both"/>): inbound left, outbound right.</summary>
    public bool Stereo { get; init; }

    /// <summary>Bytes of 16-bit little-endian PCM per chunk (a multiple of 4, 320 to 4 MiB); the last chunk may be shorter.</summary>
    public int ChunkBytes { get; init; } = 64 * 1024;

    /// <summary>Stops the recording after this long (Plivo's maxLength); null: until stopped.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Stops after this long without voice from the far end (Plivo's timeout); null: never.</summary>
    public TimeSpan? SilenceTimeout { get; init; }

    /// <summary>RMS level of 16-bit samples below which the far end counts as silent (about -44 dBFS).</summary>
    public int SilenceThreshold { get; init; } = 200;

    /// <summary>Keys that stop the recording when pressed (Plivo's finishOnKey), e.g. "#"; empty: none.</summary>
    public string FinishOnKeys { get; init; } = "";

    /// <summary>Chunks that may wait for the sink before the recording fails rather than hold more audio in memory.</summary>
    public int MaxPendingChunks { get; init; } = 16;

    public int Channels => Stereo && Audio == RecordedAudio.Both ? 2 : 1;
}

/// <summary>The audio format of every chunk: 16-bit little-endian PCM, 8 kHz, interleaved when stereo.</summary>
public readonly record struct RecordingFormat(int SampleRate, int Channels)
{
    public int BytesPerFrame => 2 * Channels;
}

/// <summary>
/// One filled piece of a recording. Self-describing (index, position and format), so each can be
/// sealed and stored on its own and a crash leaves every stored chunk readable and placeable.
/// <see cref="Pcm"/> is only valid until the sink's write completes. <see cref="IsLast"/> marks a
/// final, partly filled chunk; the end of every recording is signalled by the sink's CompleteAsync.
/// </summary>
public readonly record struct RecordingChunk(int Index, long FirstFrame, RecordingFormat Format, ReadOnlyMemory<byte> Pcm, bool IsLast)
{
    public long Frames => Pcm.Length / Format.BytesPerFrame;
}

/// <summary>How a recording ended, given to the sink after its last chunk.</summary>
public sealed record RecordingSummary(
    RecordingFormat Format, long Frames, int Chunks, RecordingEndReason Reason, char? FinishKey)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / Format.SampleRate);
}

/// <summary>
/// Where a recording goes, as it happens. The library never writes audio to disk: the platform's
/// sink seals each chunk (with the account's key) and stores it. Calls come in order and never
/// overlap; a chunk's memory is reused once its write completes. A write that throws ends the
/// recording with <see cref="RecordingEndReason.SinkFailed"/>; <see cref="CompleteAsync"/> is
/// still called.
/// </summary>
public interface IRecordingSink
{
    ValueTask WriteChunkAsync(RecordingChunk chunk, CancellationToken cancellationToken);

    ValueTask CompleteAsync(RecordingSummary summary, CancellationToken cancellationToken);
}
