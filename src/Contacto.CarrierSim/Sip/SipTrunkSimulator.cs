using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Contacto.CarrierSim.Sip;

/// <summary>A call the simulated trunk received, as it arrived (for tests to check what the platform sent).</summary>
public sealed record ReceivedCall(string From, string To, string RequestUri, string Transport, IPEndPoint Source, bool Authenticated);

/// <summary>A call the simulated trunk placed: the final status, and the call's dialog and media when it was answered.</summary>
public sealed record PlacedCall(int Status, SipDialog? Dialog, SimulatedMedia? Media);

/// <summary>
/// A simulated SIP trunk on the platform's own SIP library: answers OPTIONS, and INVITEs as its
/// options say (answer, ring, send early media, refuse with a chosen code and Retry-After,
/// challenge with digest, hang up after a delay, go silent), plays a tone and DTMF and records
/// what it hears on each answered call, and places calls to the platform. Use it in-process
/// (tests, the default set-up) or through the standalone command (<c>sip</c>).
/// </summary>
public sealed class SipTrunkSimulator : IAsyncDisposable
{
    private readonly SipTransportLayer _transport;
    private readonly SipUserAgent _agent;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _nonces = new();
    private readonly ConcurrentDictionary<SipDialog, SimulatedMedia> _calls = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile SipTrunkSimulatorOptions _options;

    public SipTrunkSimulator(SipTrunkSimulatorOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = options ?? new SipTrunkSimulatorOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        var o = _options;
        if (o.TlsPort is not null && o.TlsCertificate is null)
        {
            throw new ArgumentException("A TLS listener needs TlsCertificate.", nameof(options));
        }
        _transport = new SipTransportLayer(new SipTransportOptions
        {
            Udp = o.UdpPort is { } udp ? new IPEndPoint(o.Address, udp) : null,
            Tcp = o.TcpPort is { } tcp ? new IPEndPoint(o.Address, tcp) : null,
            Tls = o.TlsPort is { } tls ? new IPEndPoint(o.Address, tls) : null,
            TlsServer = o.TlsCertificate is { } certificate ? new SslServerAuthenticationOptions { ServerCertificate = certificate } : null,
            TlsClient = o.TlsClient,
        }, _time, _logger);
        _agent = new SipUserAgent(_transport, new SipUserAgentOptions { Product = "Contacto CarrierSim", ContactUser = "trunk" }, timeProvider: _time, logger: _logger)
        {
            IncomingCall = OnIncomingCall,
        };
        var toTransactions = _transport.MessageReceived!;
        _transport.MessageReceived = received =>
        {
            if (_options.Silent)
            {
                Statistics.Drop();
                return;
            }
            if (received.Message is SipRequest { Method: SipMethods.Options })
            {
                Statistics.Options();
            }
            toTransactions(received);
        };
    }

    public SipTrunkSimulatorOptions Options
    {
        get => _options;
        set => _options = value;
    }

    public SipTrunkStatistics Statistics { get; } = new();

    /// <summary>Answered calls still up.</summary>
    public int ActiveCalls => _calls.Count;

    /// <summary>The media of the answered calls still up.</summary>
    public IEnumerable<SimulatedMedia> ActiveMedia => _calls.Values;

    /// <summary>Raised for each INVITE that reaches the call logic, on a network thread: keep handlers short.</summary>
    public event Action<ReceivedCall>? CallReceived;

    /// <summary>The user agent, for tests that need more than the knobs.</summary>
    public SipUserAgent Agent => _agent;

    public void Start()
    {
        _transport.Start(); // the transport logs each listener it opens
    }

    /// <summary>The port of a listener (<see cref="SipTransports"/>), once started.</summary>
    public int Port(string transport) =>
        _transport.LocalEndPoint(transport)?.Port ?? throw new InvalidOperationException($"No {transport} listener (or not started).");

    /// <summary>
    /// Places a call to <paramref name="to"/> at <paramref name="target"/> (the platform's SIP
    /// listener) with an offer for a media socket of its own; once answered, plays and hangs up as
    /// the options say. Completes with the final status (and the dialog, when answered).
    /// </summary>
    public async Task<PlacedCall> CallAsync(string from, string to, SipTarget target, SipCredentials? credentials = null, CancellationToken cancellationToken = default)
    {
        Statistics.PlaceCall();
        var media = new SimulatedMedia(_options.Address, _time, _options.RecordLimitBytes);
        var host = target.HostName ?? target.EndPoint.Address.ToString();
        var requestUri = SipUri.Sip(to, host.Contains(':') ? $"[{host}]" : host, target.EndPoint.Port);
        var call = _agent.Call(new SipCallOptions
        {
            RequestUri = target.Transport == SipTransports.Udp ? requestUri : requestUri.WithParameter("transport", target.Transport.ToLowerInvariant()),
            From = new SipNameAddress(SipUri.Sip(from, _options.Address.ToString())),
            To = new SipNameAddress(SipUri.Sip(to, host)),
            Target = target,
            Offer = media.Offer(),
            Credentials = credentials,
        });
        using var cancelling = cancellationToken.Register(() => _ = call.CancelAsync());
        var (response, dialog) = await call.Completion.ConfigureAwait(false);
        if (dialog is null)
        {
            await media.DisposeAsync().ConfigureAwait(false);
            return new PlacedCall(response.StatusCode, null, null);
        }
        media.Answered(response.Body);
        Follow(dialog, media);
        return new PlacedCall(response.StatusCode, dialog, media);
    }

    /// <summary>Ends every answered call with BYE.</summary>
    public async Task HangUpAllAsync()
    {
        foreach (var dialog in _calls.Keys)
        {
            await ByeQuietlyAsync(dialog).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var media in _calls.Values)
        {
            await media.DisposeAsync().ConfigureAwait(false);
        }
        await _transport.DisposeAsync().ConfigureAwait(false);
    }

    private void OnIncomingCall(SipIncomingCall call)
    {
        var options = _options;
        var authenticated = options.Credentials is { } credentials && Authenticated(call, credentials, options);
        if (options.Credentials is not null && !authenticated)
        {
            return;
        }
        Statistics.Invite();
        var request = call.Request;
        CallReceived?.Invoke(new ReceivedCall(request.From.Uri.User ?? "", request.To.Uri.User ?? "", request.RequestUri.ToString(),
            call.Flow.Transport, call.Flow.Remote, authenticated));
        _ = AnswerAsync(call, options);
    }

    private async Task AnswerAsync(SipIncomingCall call, SipTrunkSimulatorOptions options)
    {
        SimulatedMedia? media = null;
        try
        {
            if (options.RejectStatus is { } early && options.RingFor <= TimeSpan.Zero && !options.NeverAnswer)
            {
                Reject(call, early, options);
                return;
            }
            // A trunk says at once that it has the call, as RFC 3261 asks of anything slower than 200 ms.
            call.Respond(100);
            media = new SimulatedMedia(options.Address, _time, options.RecordLimitBytes);
            var answer = media.Answer(call.Request.Body);
            if (options.EarlyMedia)
            {
                call.Ring(183, answer);
                _ = media.PlayToneAsync(options.PlayFor, _stopping.Token);
            }
            else if (options.Ring)
            {
                call.Ring();
            }
            var waiting = options.NeverAnswer ? Timeout.InfiniteTimeSpan : options.RingFor;
            if (waiting != TimeSpan.Zero)
            {
                await Task.WhenAny(call.Cancelled, Task.Delay(waiting, _time, _stopping.Token)).ConfigureAwait(false);
            }
            if (call.Cancelled.IsCompleted || _stopping.IsCancellationRequested)
            {
                Statistics.Cancel();
                return;
            }
            if (_options.Silent)
            {
                // Gone silent while ringing: a hung trunk never answers.
                return;
            }
            if (options.RejectStatus is { } status)
            {
                Reject(call, status, options);
                return;
            }
            var dialog = call.Accept(answer);
            Statistics.Answer();
            Follow(dialog, media);
            media = null;
        }
        catch (InvalidOperationException)
        {
            // The caller cancelled just as the answer went out.
            Statistics.Cancel();
        }
        finally
        {
            if (media is not null)
            {
                await media.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Reject(SipIncomingCall call, int status, SipTrunkSimulatorOptions options)
    {
        var response = call.CreateResponse(status);
        if (status == 503 && options.RetryAfterSeconds is { } seconds)
        {
            response.Headers.Add(HeaderNames.RetryAfter, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        call.Respond(response);
        Statistics.Reject();
    }

    /// <summary>An answered call: its media plays, it hangs up when told to, and it is forgotten when it ends.</summary>
    private void Follow(SipDialog dialog, SimulatedMedia media)
    {
        var options = _options;
        _calls[dialog] = media;
        _ = PlayAsync(media, options);
        _ = dialog.Ended.ContinueWith(async ended =>
        {
            if (ended.Result == SipDialogEnd.RemoteBye)
            {
                Statistics.EndByCaller();
            }
            if (_calls.TryRemove(dialog, out var done))
            {
                await done.DisposeAsync().ConfigureAwait(false);
            }
        }, TaskScheduler.Default);
        if (options.HangUpAfter is { } after)
        {
            _ = Task.Delay(after, _time, _stopping.Token).ContinueWith(async t =>
            {
                if (!t.IsCanceled && dialog.State != SipDialogState.Terminated && !_options.Silent)
                {
                    Statistics.HangUp();
                    await ByeQuietlyAsync(dialog).ConfigureAwait(false);
                }
            }, TaskScheduler.Default);
        }
    }

    private async Task PlayAsync(SimulatedMedia media, SipTrunkSimulatorOptions options)
    {
        if (options.PlayFor > TimeSpan.Zero && !options.EarlyMedia)
        {
            await media.PlayToneAsync(options.PlayFor, _stopping.Token).ConfigureAwait(false);
        }
        if (options.SendDigits.Length > 0)
        {
            await media.SendDigitsAsync(options.SendDigits, _stopping.Token).ConfigureAwait(false);
        }
    }

    private static async Task ByeQuietlyAsync(SipDialog dialog)
    {
        try
        {
            await dialog.ByeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransportException or IOException or InvalidOperationException)
        {
            // The peer is gone or the call ended meanwhile.
        }
    }

    /// <summary>Digest as a trunk does it (RFC 3261 22, RFC 8760): a fresh nonce per challenge, each good for one answer.</summary>
    private bool Authenticated(SipIncomingCall call, SipCredentials credentials, SipTrunkSimulatorOptions options)
    {
        if (call.Request.Headers.Get(HeaderNames.Authorization) is { } authorization
            && SipDigestChallenge.TryParse(authorization) is { } answered && _nonces.TryRemove(answered.Nonce, out _))
        {
            if (SipDigest.Verify(authorization, SipMethods.Invite, options.Realm, answered.Nonce, user => user == credentials.UserName ? credentials.Password : null))
            {
                return true;
            }
            call.Reject(403);
            Statistics.Reject();
            return false;
        }
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (_nonces.Count > 10_000)
        {
            _nonces.Clear();
        }
        _nonces[nonce] = 0;
        var challenge = call.CreateResponse(401);
        challenge.Headers.Add(HeaderNames.WwwAuthenticate, SipDigest.Challenge(options.Realm, nonce, options.DigestAlgorithm));
        call.Respond(challenge);
        Statistics.Challenge();
        return false;
    }
}
