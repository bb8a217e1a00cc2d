using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Session;

/// <summary>
/// enquire_link keep-alive of one connection: probes a link that has been quiet for the
/// interval (and a busy one every ten intervals, to keep the round trip fresh), measures the
/// round trip, and reports a dead peer when a probe goes unanswered.
/// </summary>
internal sealed class KeepAlive(
    SmppConnectionOptions options,
    TimeProvider time,
    Func<Pdu, TimeSpan, Task<Pdu>> sendRequest,
    Action onDeadPeer)
{
    private const int BusyProbeFactor = 10;

    private long _lastReceived;
    private long _lastProbe;
    private int _probing;
    private long _lastRoundTripTicks = -1;

    public TimeSpan? LastRoundTrip
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastRoundTripTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

    public void Start()
    {
        var now = time.GetTimestamp();
        Volatile.Write(ref _lastReceived, now);
        Volatile.Write(ref _lastProbe, now);
    }

    /// <summary>Any PDU from the peer shows it is alive.</summary>
    public void OnReceived() => Volatile.Write(ref _lastReceived, time.GetTimestamp());

    public void OnTick()
    {
        var idle = time.GetElapsedTime(Volatile.Read(ref _lastReceived));
        var sinceProbe = time.GetElapsedTime(Volatile.Read(ref _lastProbe));
        if ((idle >= options.EnquireLinkInterval || sinceProbe >= options.EnquireLinkInterval * BusyProbeFactor)
            && Interlocked.Exchange(ref _probing, 1) == 0)
        {
            _ = ProbeAsync();
        }
    }

    private async Task ProbeAsync()
    {
        var sentAt = time.GetTimestamp();
        Volatile.Write(ref _lastProbe, sentAt);
        try
        {
            await sendRequest(new HeaderOnlyPdu(CommandId.EnquireLink), options.EnquireLinkTimeout).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastRoundTripTicks, time.GetElapsedTime(sentAt).Ticks);
        }
        catch (SmppResponseTimeoutException)
        {
            onDeadPeer();
        }
        catch (SmppConnectionClosedException)
        {
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }
}
