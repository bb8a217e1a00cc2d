using System.Collections.Concurrent;
using System.Net;
using Contacto.Carriers;
using Contacto.Carriers.Sip;
using Contacto.Crypto;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Sdp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Voice;

/// <summary>
/// A call this node runs: how to end it from outside (the API, a time limit, a scheduled Hangup;
/// first reason wins), and, once answered, its leg for the API's controls and where the API
/// transferred it.
/// </summary>
internal sealed class LiveCall
{
    readonly CancellationTokenSource ending = new();
    readonly Lock gate = new();
    CancellationTokenSource transferring = new();
    (Uri Url, string Method)? transfer;
    AppEnd? reason;

    public CancellationToken Ending => ending.Token;

    public AppEnd? Reason => Volatile.Read(ref reason);

    public void End(AppEnd why)
    {
        if (Interlocked.CompareExchange(ref reason, why, null) is null)
            ending.Cancel();
    }

    /// <summary>The answered call and its media leg; null until answered.</summary>
    public OpenedCall? Call { get; private set; }

    public MediaSession? Leg { get; private set; }

    /// <summary>Recordings the API started on the call, stopped by the API or when the call ends.</summary>
    public ConcurrentBag<CallRecording> Recordings { get; } = [];

    public void Answered(OpenedCall call, MediaSession leg) => (Call, Leg) = (call, leg);

    /// <summary>Cancelled when the API transfers the call: the running document stops for the new one.</summary>
    public CancellationToken Transferring
    {
        get
        {
            lock (gate)
                return transferring.Token;
        }
    }

    public void Transfer(Uri url, string method)
    {
        lock (gate)
        {
            transfer = (url, method);
            transferring.Cancel();
        }
    }

    /// <summary>The transfer asked for, once; the next one gets a fresh signal.</summary>
    public (Uri Url, string Method)? TakeTransfer()
    {
        lock (gate)
        {
            if (transfer is not { } asked)
                return null;
            (transfer, transferring) = (null, new CancellationTokenSource());
            return asked;
        }
    }
}

/// <summary>The calls this node runs, by id: what the API ends and the engine keeps holding.</summary>
internal sealed class LiveCalls
{
    readonly ConcurrentDictionary<Guid, LiveCall> calls = new();

    public int Count => calls.Count;

    public ICollection<Guid> Ids => calls.Keys;

    public LiveCall Add(Guid id) => calls[id] = new LiveCall();

    public void Remove(Guid id) => calls.TryRemove(id, out _);

    public bool TryGet(Guid id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LiveCall? call) => calls.TryGetValue(id, out call);

    /// <summary>Ends a call this node runs; false when it runs elsewhere or not at all.</summary>
    public bool TryEnd(Guid id, AppEnd why)
    {
        if (!calls.TryGetValue(id, out var call))
            return false;
        call.End(why);
        return true;
    }
}

/// <summary>
/// Places one claimed call and sees it to its end: a media leg and its offer, the carriers'
/// router (product <c>voice</c>, the destination's country, failover as the router does it) within
/// the ring timeout, then the customer's application within the time limit; whatever happens,
/// the call ends once in its CDR with Plivo's hangup cause and its callback.
/// </summary>
internal sealed partial class CallRunner(
    CarrierRouter router,
    MediaEngine media,
    VoiceApp app,
    CallRecords records,
    LiveCalls live,
    ITenantCrypto crypto,
    IOptions<VoiceMediaOptions> mediaOptions,
    IOptions<SipOptions> sip,
    ILogger<CallRunner> logger)
{
    readonly IPAddress advertised = AdvertisedAddress(mediaOptions.Value, sip.Value);

    public async Task RunAsync(Call call, CancellationToken stopping)
    {
        var control = live.Add(call.Id);
        OpenedCall? opened = null;
        var end = new AppEnd(HangupCause.NetworkError, HangupSources.Error);
        try
        {
            opened = await OpenedCall.OpenAsync(crypto, call, stopping);
            end = await PlaceAsync(opened, control, stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException || stopping.IsCancellationRequested)
        {
            LogCallFailed(call.Id, e.GetType().Name);
            end = stopping.IsCancellationRequested ? new AppEnd(HangupCause.Lost, HangupSources.Plivo) : new AppEnd(HangupCause.MediaFailure, HangupSources.Error);
        }
        finally
        {
            live.Remove(call.Id);
        }
        if (opened is not null)
            await records.FinishAsync(opened, end.Cause, end.Source, CancellationToken.None);
    }

    async Task<AppEnd> PlaceAsync(OpenedCall opened, LiveCall control, CancellationToken stopping)
    {
        var call = opened.Call;
        await using var leg = media.CreateSession();
        var negotiator = new SdpNegotiator(new MediaCapabilities(), advertised, leg.RtpPort);
        var offer = negotiator.CreateOffer();
        using var ringing = CancellationTokenSource.CreateLinkedTokenSource(control.Ending, stopping);
        ringing.CancelAfter(TimeSpan.FromSeconds(call.RingTimeoutSeconds));
        var rang = 0;
        var request = new CallRequest(opened.From, opened.To, offer.ToBytes())
        {
            Progress = p =>
            {
                if (p.Kind == CallProgressKind.Ringing && Interlocked.Exchange(ref rang, 1) == 0)
                    _ = RingingAsync(opened); // off the network thread
            },
        };
        var outcome = await router.SendAsync(call.DestinationCountry, request, ringing.Token);
        if (outcome is not { Kind: CarrierOutcomeKind.Accepted, Call: { } answered })
            return control.Reason is { } asked ? asked with { Cause = HangupCause.Cancelled } : NotAnswered(outcome, Volatile.Read(ref rang) == 1);

        try
        {
            leg.Apply(negotiator.AcceptAnswer(SessionDescription.Parse(answered.RemoteMedia.Span)));
            await records.AnsweredAsync(call, answered.Carrier, stopping);
            control.Answered(opened, leg);
            using var talking = CancellationTokenSource.CreateLinkedTokenSource(control.Ending, stopping);
            talking.CancelAfter(TimeSpan.FromSeconds(call.TimeLimitSeconds));
            _ = answered.Ended.ContinueWith(_ => control.End(new AppEnd(HangupCause.NormalHangup, HangupSources.Callee)), TaskScheduler.Default);
            AppEnd end;
            try
            {
                // An end asked from outside (the far end, the API) says better why than where the app stopped.
                var ran = await app.RunAsync(opened, leg, control, talking.Token);
                end = control.Reason ?? ran;
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                end = control.Reason ?? new AppEnd(HangupCause.TimeLimit, HangupSources.Plivo);
            }
            foreach (var recording in control.Recordings)
                recording.Stop();
            var quality = leg.Quality;
            (call.JitterMilliseconds, call.PacketLossFraction) = (quality.JitterMilliseconds,
                quality.PacketsReceived + quality.PacketsLost > 0 ? (double)quality.PacketsLost / (quality.PacketsReceived + quality.PacketsLost) : 0);
            return end;
        }
        finally
        {
            await answered.HangUpAsync(CancellationToken.None);
        }
    }

    async Task RingingAsync(OpenedCall opened)
    {
        try
        {
            await records.RingingAsync(opened, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogRingCallbackFailed(opened.Call.Id, e.GetType().Name);
        }
    }

    /// <summary>Why a call was not answered, in Plivo's terms.</summary>
    static AppEnd NotAnswered(CarrierOutcome outcome, bool rang) => outcome.Kind switch
    {
        CarrierOutcomeKind.NoCarrier => new(HangupCause.NoRoute, HangupSources.Plivo),
        CarrierOutcomeKind.TemporaryFailure => new(HangupCause.NetworkError, HangupSources.Plivo),
        _ => outcome.Error switch
        {
            CarrierError.Busy => new(HangupCause.Busy, HangupSources.Callee),
            CarrierError.Declined => new(HangupCause.Rejected, HangupSources.Callee),
            CarrierError.InvalidDestination => new(HangupCause.InvalidDestination, HangupSources.Plivo),
            CarrierError.Cancelled => rang ? new(HangupCause.NoAnswer, HangupSources.Plivo) : new(HangupCause.RingTimeout, HangupSources.Plivo),
            _ => new(HangupCause.NetworkError, HangupSources.Plivo),
        },
    };

    /// <summary>The configured media address; else SIP's advertised host when it is an address; else loopback.</summary>
    static IPAddress AdvertisedAddress(VoiceMediaOptions media, SipOptions sip) =>
        media.AdvertisedAddress is { } configured ? IPAddress.Parse(configured)
        : IPAddress.TryParse(sip.AdvertisedHost, out var host) ? host
        : IPAddress.TryParse(media.BindAddress, out var bound) && !bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any) ? bound
        : IPAddress.Loopback;

    [LoggerMessage(EventId = 2111, Level = LogLevel.Error, Message = "Call {CallId}: its ring callback could not be stored ({Error})")]
    partial void LogRingCallbackFailed(Guid callId, string error);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Error, Message = "Call {CallId} failed ({Error}); it ends")]
    partial void LogCallFailed(Guid callId, string error);
}
