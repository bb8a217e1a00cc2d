using Contacto.Media.Recording;

namespace Contacto.Media.Engine;

/// <summary>
/// Connects two legs' media (Plivo's Dial): each sends what the other hears, decoded and encoded
/// again, so PCMU meets PCMA and 20 ms meets 30 ms. Both legs move to one pacing loop so their
/// frames pass in step. Disposing it parts them; each goes back to playing its own queue.
/// </summary>
public sealed class MediaBridge : IDisposable
{
    private readonly MediaSession _a;
    private readonly MediaSession _b;
    private int _disposed;

    private MediaBridge(MediaSession a, MediaSession b)
    {
        _a = a;
        _b = b;
    }

    public static MediaBridge Connect(MediaEngine engine, MediaSession a, MediaSession b)
    {
        if (ReferenceEquals(a, b))
        {
            throw new ArgumentException("A leg cannot be bridged to itself.");
        }
        engine.Colocate(a, b);
        a.BridgeTo(b);
        b.BridgeTo(a);
        return new MediaBridge(a, b);
    }

    /// <summary>
    /// Records the bridged call on the first leg: its caller (inbound) and the other party (what
    /// the first leg is sent), mixed or in stereo as the options say (Audio = Both).
    /// </summary>
    public CallRecording StartRecording(RecordingOptions options, IRecordingSink sink) =>
        _a.StartRecording(options with { Audio = RecordedAudio.Both }, sink);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _a.BridgeTo(null);
            _b.BridgeTo(null);
        }
    }
}
