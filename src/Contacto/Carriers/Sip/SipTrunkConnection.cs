using System.Collections.Concurrent;
using System.Net;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Contacto.Carriers.Sip;

/// <summary>
/// One SIP trunk behind the router's protocol-neutral contract, over the node's shared
/// <see cref="SipEndpoint"/>. Its link is up while OPTIONS keep-alives are answered (any answer
/// counts: the trunk is there); they go out every interval, and none answered for two intervals
/// takes it down, so a dead or silent trunk leaves the routing within 800 ms by default (one slow
/// answer is tolerated), and the calls
/// waiting on it go to the next trunk unless they rang. Calls go out as INVITEs, digest challenges
/// answered; a call fails over (<see cref="AttemptResult.LinkFailed"/> or <see cref="AttemptResult.Refused"/>)
/// only while nothing can have reached the callee: no answer at all within
/// <see cref="SipTrunkSettings.InviteTimeoutMilliseconds"/>, 408, 5xx (a 503's Retry-After also
/// rests the trunk) or refused credentials, before any ringing or early media. Everything else
/// (486, 603, 404, ...) is final (<see cref="AttemptResult.Declined"/>). Calls the trunk places
/// arrive from the endpoint and go to the call sink.
/// </summary>
internal sealed partial class SipTrunkConnection : ICarrierConnection
{
    /// <summary>A 503's Retry-After keeps the trunk out of the routing this long at most.</summary>
    static readonly TimeSpan LongestRest = TimeSpan.FromMinutes(5);

    readonly SipEndpoint endpoint;
    readonly CarrierSinks sinks;
    readonly TimeProvider time;
    readonly ILogger logger;
    readonly string transport;
    readonly TimeSpan keepAlive;
    readonly TimeSpan silenceLimit;
    readonly TimeSpan inviteTimeout;
    readonly SipCredentials? credentials;
    readonly CancellationTokenSource stopping = new();
    readonly ConcurrentDictionary<Task, byte> calls = new();
    readonly TaskCompletionSource firstUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile TaskCompletionSource wentDown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile LinkHealth link;
    volatile IReadOnlyList<IPNetwork> networks = [];
    readonly Lock linkGate = new();
    long restingUntil;
    long lastAnswer;
    long silenceDue;
    ITimer? silence;
    Task keepAlives = Task.CompletedTask;

    public SipTrunkConnection(CarrierOptions options, SipEndpoint endpoint, CarrierSinks sinks, TimeProvider time, ILogger logger)
    {
        (Options, this.endpoint, this.sinks, this.time, this.logger) = (options, endpoint, sinks, time, logger);
        var sip = options.Sip;
        transport = SipTrunkProtocol.TransportOf(options);
        keepAlive = TimeSpan.FromMilliseconds(sip.KeepAliveMilliseconds);
        silenceLimit = 2 * keepAlive;
        inviteTimeout = TimeSpan.FromMilliseconds(sip.InviteTimeoutMilliseconds);
        credentials = sip.UserName.Length > 0 ? new SipCredentials(sip.UserName, sip.Password) : null;
        link = new LinkHealth(options.Name, false, "connecting", null);
    }

    public CarrierOptions Options { get; }

    /// <summary>Where the trunk is reached; null until its host is resolved.</summary>
    public SipTarget? Target { get; private set; }

    public bool IsReady => link.IsUp && time.GetTimestamp() >= Interlocked.Read(ref restingUntil);

    public IReadOnlyList<LinkHealth> Links => [link];

    public event Action<LinkHealth>? LinkChanged;

    public void Start()
    {
        endpoint.Start();
        endpoint.Register(this);
        keepAlives = Task.Run(KeepAliveAsync);
    }

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken = default) => firstUp.Task.WaitAsync(cancellationToken);

    /// <summary>True when the trunk's calls may come from this address (its networks, or its host's addresses).</summary>
    public bool SendsFrom(IPAddress address) => !stopping.IsCancellationRequested && networks.Any(n => n.Contains(address));

    public async Task<CarrierAttempt> SendAsync(CarrierRequest request, CancellationToken cancellationToken)
    {
        if (request is not CallRequest call)
            throw new NotSupportedException($"A SIP trunk carries calls, not {request.Product}");
        cancellationToken.ThrowIfCancellationRequested();
        if (Target is not { } target || !IsReady)
            return CarrierAttempt.LinkFailed;
        var placing = PlaceAsync(call, target, cancellationToken);
        calls.TryAdd(placing, 0);
        try
        {
            return await placing;
        }
        finally
        {
            calls.TryRemove(placing, out _);
        }
    }

    async Task<CarrierAttempt> PlaceAsync(CallRequest call, SipTarget target, CancellationToken cancellationToken)
    {
        var reachedCallee = 0;
        var domain = Options.Sip.Domain ?? Options.Host;
        var down = wentDown.Task;
        var outgoing = endpoint.Agent.Call(new SipCallOptions
        {
            RequestUri = Uri(call.To, domain, Options.Port == 0 ? null : Options.Port),
            From = new SipNameAddress(SipUri.Sip(call.From, endpoint.Host)),
            To = new SipNameAddress(SipUri.Sip(call.To, domain)),
            Target = target,
            Offer = call.Offer.ToArray(),
            Credentials = credentials,
            Provisional = response =>
            {
                // Ringing, progress or early media: the far network has the callee now.
                Volatile.Write(ref reachedCallee, 1);
                if (call.Progress is { } progress && (response.Body.Length > 0 || response.StatusCode == 180))
                    progress(new CallProgress(Options.Name, response.Body.Length > 0 ? CallProgressKind.EarlyMedia : CallProgressKind.Ringing, response.Body));
            },
        });
        var cancelled = Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        await Task.WhenAny(outgoing.Proceeding, outgoing.Completion, Task.Delay(inviteTimeout, time, stopping.Token), down, cancelled);
        if (!outgoing.Proceeding.IsCompleted && !outgoing.Completion.IsCompleted)
        {
            // Nothing came back: whatever the trunk does later is cancelled (or ended with BYE).
            _ = outgoing.CancelAsync();
            return cancelled.IsCompleted ? CarrierAttempt.Declined(CarrierError.Cancelled) : CarrierAttempt.LinkFailed;
        }
        var first = await Task.WhenAny(outgoing.Completion, cancelled, down);
        if (first == down && !outgoing.Completion.IsCompleted)
        {
            // The trunk died with the call: it can no longer answer. Before anything rang the call is
            // tried elsewhere; a callee already rung is not rung again.
            _ = outgoing.CancelAsync();
            return Volatile.Read(ref reachedCallee) == 1 ? CarrierAttempt.Declined(CarrierError.TemporarilyUnavailable) : CarrierAttempt.LinkFailed;
        }
        if (first == cancelled && !outgoing.Completion.IsCompleted)
        {
            await outgoing.CancelAsync();
            // A 2xx that crosses the CANCEL is ended by the user agent; a trunk that never confirms is not waited on past a transaction's life.
            await Task.WhenAny(outgoing.Completion, Task.Delay(endpoint.Agent.Transactions.Timers.TransactionTimeout, time, stopping.Token));
            return CarrierAttempt.Declined(CarrierError.Cancelled);
        }
        var (response, dialog) = await outgoing.Completion;
        if (response.IsSuccess && dialog is not null)
        {
            var answered = new SipCarrierCall(Options.Name, dialog, response.Body);
            if (!cancelled.IsCompleted)
                return CarrierAttempt.Answered(answered);
            // Answered as the caller gave up: the call is ended at once.
            _ = answered.HangUpAsync();
            return CarrierAttempt.Declined(CarrierError.Cancelled);
        }
        return Classify(response, Volatile.Read(ref reachedCallee) == 1 || outgoing.HadEarlyMedia);
    }

    /// <summary>
    /// A call's failure: tried on the next trunk only when nothing reached the callee (no answer
    /// here at all, a time-out, 408, 5xx, or the trunk refusing this platform's credentials)
    /// and nothing rang; anything else ends the routing.
    /// </summary>
    CarrierAttempt Classify(SipResponse response, bool reachedCallee)
    {
        var status = response.StatusCode;
        var error = SipCodes.ErrorOf(status);
        if (reachedCallee || !(response.IsLocal || status is 408 or 401 or 407 || status is >= 500 and < 600))
            return CarrierAttempt.Declined(error);
        if (status == 503 && !response.IsLocal && response.RetryAfter is { } rest)
            Rest(rest < LongestRest ? rest : LongestRest);
        return response.IsLocal ? CarrierAttempt.LinkFailed : CarrierAttempt.Refused(error);
    }

    /// <summary>A call the trunk places: offered to the call sink, refused as unavailable if the sink fails.</summary>
    public void Offer(SipIncomingCall incoming)
    {
        var call = new SipInboundCall(Options.Name, incoming);
        _ = OfferAsync(call);
    }

    async Task OfferAsync(SipInboundCall call)
    {
        try
        {
            await sinks.Calls.OfferAsync(call, stopping.Token);
        }
        catch (Exception e)
        {
            LogOfferFailed(Options.Name, e.GetType().Name);
            call.TryReject(CarrierError.TemporarilyUnavailable);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!stopping.IsCancellationRequested)
            await stopping.CancelAsync();
        await keepAlives;
        // Calls on their way finish (answered, refused or failed over); answered calls go on in the endpoint.
        await Task.WhenAll(calls.Keys).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        endpoint.Unregister(this);
        SetLink(new LinkHealth(Options.Name, false, "stopped", null));
    }

    /// <summary>
    /// A keep-alive every interval, whatever became of the last (a slow answer delays none); the
    /// trunk is up at each answer and down once none came for two intervals, or at once when it
    /// cannot be connected to.
    /// </summary>
    async Task KeepAliveAsync()
    {
        using var ticks = new PeriodicTimer(keepAlive, time);
        using (silence = time.CreateTimer(_ => OnSilence(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
        {
            ArmSilence(silenceLimit);
            var probes = new List<Task>();
            do
            {
                try
                {
                    if (Target is null)
                        await ResolveAsync();
                }
                catch (Exception e) when (e is SipTransportException or IOException or System.Net.Sockets.SocketException)
                {
                    SetLink(new LinkHealth(Options.Name, false, "down", e.Message));
                    continue;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                probes.RemoveAll(p => p.IsCompleted);
                probes.Add(ProbeAsync(Target!));
            }
            while (await WaitAsync(ticks));
            await Task.WhenAll(probes);
        }
    }

    async Task ProbeAsync(SipTarget target)
    {
        try
        {
            using var timeout = new CancellationTokenSource(silenceLimit, time);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, timeout.Token);
            var domain = Options.Sip.Domain ?? Options.Host;
            var probe = endpoint.Agent.CreateRequest(SipMethods.Options, Uri(null, domain, Options.Port == 0 ? null : Options.Port),
                new SipNameAddress(SipUri.Sip("contacto", endpoint.Host)), new SipNameAddress(SipUri.Sip(null, domain)), transport);
            var answer = await endpoint.Agent.SendAsync(probe, target, cancellationToken: deadline.Token);
            if (answer.IsLocal)
            {
                // Made here: the transport failed (503) or the transaction timed out; only the former says more than silence does.
                if (answer.StatusCode == 503)
                    SetLink(new LinkHealth(Options.Name, false, "down", "cannot connect"));
                return;
            }
            Interlocked.Exchange(ref lastAnswer, time.GetTimestamp());
            ArmSilence(silenceLimit);
            SetLink(new LinkHealth(Options.Name, true, "up", null));
        }
        catch (OperationCanceledException)
        {
            // Unanswered (or stopping): the silence timer decides.
        }
        catch (Exception e) when (e is SipTransportException or IOException or System.Net.Sockets.SocketException)
        {
            SetLink(new LinkHealth(Options.Name, false, "down", e.Message));
        }
    }

    void ArmSilence(TimeSpan after)
    {
        Interlocked.Exchange(ref silenceDue, time.GetTimestamp() + (long)(after.TotalSeconds * time.TimestampFrequency));
        silence?.Change(after, Timeout.InfiniteTimeSpan);
    }

    void OnSilence()
    {
        if (stopping.IsCancellationRequested)
            return;
        // A timer that fires well after its time means this node was held up (CPU, a pause): the
        // trunk's answers may be waiting to be read, and the probes were late going out too.
        if (time.GetElapsedTime(Interlocked.Read(ref silenceDue)) > keepAlive / 4)
        {
            ArmSilence(keepAlive / 2);
            return;
        }
        // A timer may fire a little early, or as an answer comes: then it waits out the rest.
        var quiet = time.GetElapsedTime(Interlocked.Read(ref lastAnswer));
        if (quiet < silenceLimit)
            ArmSilence(silenceLimit - quiet);
        else
            SetLink(new LinkHealth(Options.Name, false, "down", $"no answer to OPTIONS for {silenceLimit.TotalMilliseconds} ms"));
    }

    async Task<bool> WaitAsync(PeriodicTimer ticks)
    {
        try
        {
            return await ticks.WaitForNextTickAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The trunk's address, and the networks its calls may come from (its host's addresses unless configured).</summary>
    async Task ResolveAsync()
    {
        var uri = Uri(null, Options.Host, Options.Port == 0 ? null : Options.Port);
        var target = await SipTarget.ResolveAsync(uri, transport, stopping.Token);
        networks = Options.Sip.Inbound.Networks.Count > 0
            ? [.. Options.Sip.Inbound.Networks.Select(SipTrunkProtocol.ParseNetwork)]
            : [.. (await Dns.GetHostAddressesAsync(target.HostName ?? Options.Host, stopping.Token)).Select(SipTrunkProtocol.HostNetwork)];
        Target = target with { HostName = Options.Host };
    }

    SipUri Uri(string? user, string host, int? port)
    {
        var uri = SipUri.Sip(user, host, port);
        return transport == SipTransports.Udp ? uri : uri.WithParameter("transport", transport.ToLowerInvariant());
    }

    void Rest(TimeSpan rest)
    {
        Interlocked.Exchange(ref restingUntil, time.GetTimestamp() + (long)(rest.TotalSeconds * time.TimestampFrequency));
        LogResting(Options.Name, (int)rest.TotalSeconds);
    }

    /// <summary>Called from probes, the silence timer and stop at once: each change is applied and announced whole.</summary>
    void SetLink(LinkHealth next)
    {
        lock (linkGate)
        {
            var previous = link;
            link = next;
            if (next.IsUp)
            {
                firstUp.TrySetResult();
                if (!previous.IsUp)
                    wentDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                wentDown.TrySetResult();
            }
            if (previous.IsUp != next.IsUp || previous.State != next.State)
                LinkChanged?.Invoke(next);
        }
    }

    [LoggerMessage(EventId = 1152, Level = LogLevel.Warning, Message = "SIP trunk {Carrier} answered 503 with Retry-After: out of the routing for {Seconds} s")]
    partial void LogResting(string carrier, int seconds);

    [LoggerMessage(EventId = 1153, Level = LogLevel.Error, Message = "Offering a call from SIP trunk {Carrier} failed ({Error}): refused as unavailable")]
    partial void LogOfferFailed(string carrier, string error);
}
