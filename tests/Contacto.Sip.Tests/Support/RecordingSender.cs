using System.Net;
using Contacto.Sip.Messages;
using Contacto.Sip.Transactions;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Sip.Tests.Support;

/// <summary>A transport that records what is sent and when, on a fake clock, and can be made to fail.</summary>
internal sealed class RecordingSender(FakeTimeProvider time) : ISipSender
{
    private readonly DateTimeOffset _start = time.GetUtcNow();

    public List<(TimeSpan At, SipMessage Message)> Sent { get; } = [];

    public bool Fail { get; set; }

    public SipVia CreateVia(string transport, string branch) => new(transport, "192.0.2.1", 5060, branch);

    public Task SendAsync(SipMessage message, SipTarget target, CancellationToken cancellationToken) => Record(message);

    public Task SendResponseAsync(SipResponse response, SipFlow? requestFlow, CancellationToken cancellationToken) => Record(response);

    /// <summary>When each message of that kind (method, or status code) was sent, in ms since the start.</summary>
    public double[] Times(string kind) =>
        [.. Sent.Where(s => Kind(s.Message) == kind).Select(s => s.At.TotalMilliseconds)];

    private Task Record(SipMessage message)
    {
        if (Fail)
        {
            return Task.FromException(new SipTransportException("refused"));
        }
        lock (Sent)
        {
            Sent.Add((time.GetUtcNow() - _start, message));
        }
        return Task.CompletedTask;
    }

    private static string Kind(SipMessage message) => message switch
    {
        SipRequest request => request.Method,
        SipResponse response => response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };
}

internal static class FakeClock
{
    /// <summary>Moves the clock a millisecond at a time, so that each timer fires at its own instant.</summary>
    public static void Step(this FakeTimeProvider time, int milliseconds)
    {
        for (var i = 0; i < milliseconds; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }
}

/// <summary>A fake clock that remembers the period of every timer made on it.</summary>
internal sealed class TimerWatchingClock : FakeTimeProvider
{
    public List<TimeSpan> Periods { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (Periods)
        {
            Periods.Add(period);
        }
        return base.CreateTimer(callback, state, dueTime, period);
    }
}

internal static class Requests
{
    public static readonly SipTarget Udp = new(SipTransports.Udp, new IPEndPoint(IPAddress.Loopback, 5060));
    public static readonly SipTarget Tcp = new(SipTransports.Tcp, new IPEndPoint(IPAddress.Loopback, 5060));

    public static SipRequest Create(string method, string? via = null)
    {
        var request = new SipRequest(method, SipUri.Parse("sip:bob@biloxi.example.com"));
        if (via is not null)
        {
            request.Headers.Add(HeaderNames.Via, via);
        }
        request.Headers.Add(HeaderNames.MaxForwards, "70");
        request.Headers.Add(HeaderNames.From, "<sip:alice@atlanta.example.com>;tag=a1");
        request.Headers.Add(HeaderNames.To, "<sip:bob@biloxi.example.com>");
        request.Headers.Add(HeaderNames.CallId, "call-1@atlanta.example.com");
        request.Headers.Add(HeaderNames.CSeq, $"1 {method}");
        return request;
    }

    /// <summary>A response to what was sent, as the peer would send it (its single Via echoed).</summary>
    public static SipResponse Answer(SipRequest request, int status) => SipResponse.CreateFor(request, status, toTag: status > 100 ? "b1" : null);

    public static SipFlow Flow(string transport = SipTransports.Udp) =>
        new(transport, new IPEndPoint(IPAddress.Parse("192.0.2.9"), 5060), new IPEndPoint(IPAddress.Loopback, 5060));
}
