using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Contacto.Sip.Messages;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers.Sip;

/// <summary>Why the SIP edge turned a request away, as counted.</summary>
internal static class SipRefusal
{
    /// <summary>From an address no trunk sends from: answered with a bare 403 while within its rate.</summary>
    public const string UnknownSource = "unknown_source";

    /// <summary>From an unknown address past its rate (a scanner): dropped unanswered.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>A trunk's call whose digest answer was wrong (or whose challenge went unanswered twice).</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>A call while this node stops: 503.</summary>
    public const string Draining = "draining";
}

/// <summary>
/// The SIP edge's defence against what no trunk sends: a token bucket per source address (on
/// <see cref="TimeProvider"/>, bounded in the number of addresses it remembers) and the count of
/// every refusal, by reason and method, on /metrics.
/// </summary>
internal sealed class SipEdge
{
    public const string MeterName = "Contacto.Carriers.Sip";

    static readonly HashSet<string> KnownMethods =
        [SipMethods.Invite, SipMethods.Register, SipMethods.Options, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel,
         SipMethods.Info, SipMethods.Refer, SipMethods.Notify, SipMethods.Message, SipMethods.Subscribe, SipMethods.Update, SipMethods.Prack];

    readonly ConcurrentDictionary<IPAddress, Bucket> buckets = new();
    readonly IOptionsMonitor<SipOptions> options;
    readonly TimeProvider time;
    readonly Counter<long> refusals;

    public SipEdge(IOptionsMonitor<SipOptions> options, IMeterFactory meters, TimeProvider time)
    {
        (this.options, this.time) = (options, time);
        refusals = meters.Create(MeterName).CreateCounter<long>("contacto.sip.refusals", "{request}", "SIP requests refused at the edge, by reason (unknown_source, rate_limited, unauthorized, draining) and method");
    }

    /// <summary>Observes the transport's count of malformed messages (answered 400 or dropped) as <c>contacto.sip.malformed</c>.</summary>
    public void ObserveMalformed(IMeterFactory meters, Func<long> count) =>
        meters.Create(MeterName).CreateObservableCounter("contacto.sip.malformed", count, "{message}", "SIP messages refused as malformed, oversize or unframeable");

    public void Refused(string reason, string method) =>
        refusals.Add(1, new("reason", reason), new("method", KnownMethods.Contains(method) ? method : "other"));

    /// <summary>Takes one request from an unknown source out of its budget; false once the budget is spent (drop it).</summary>
    public bool TryTake(IPAddress source)
    {
        var edge = options.CurrentValue.Edge;
        var now = time.GetTimestamp();
        if (buckets.Count >= edge.MaxTrackedSources && !buckets.ContainsKey(source))
            Forget(edge, now);
        var bucket = buckets.GetOrAdd(source, _ => new Bucket(edge.Burst, now));
        return bucket.TryTake(edge, now, time.TimestampFrequency);
    }

    /// <summary>Forgets sources whose bucket has filled again (they have been quiet); all of them if none has.</summary>
    void Forget(SipEdgeOptions edge, long now)
    {
        foreach (var (address, bucket) in buckets)
            if (bucket.IsFull(edge, now, time.TimestampFrequency))
                buckets.TryRemove(address, out _);
        if (buckets.Count >= edge.MaxTrackedSources)
            buckets.Clear();
    }

    sealed class Bucket(double tokens, long updated)
    {
        readonly Lock gate = new();

        public bool TryTake(SipEdgeOptions edge, long now, long frequency)
        {
            lock (gate)
            {
                Refill(edge, now, frequency);
                if (tokens < 1)
                    return false;
                tokens--;
                return true;
            }
        }

        public bool IsFull(SipEdgeOptions edge, long now, long frequency)
        {
            lock (gate)
            {
                Refill(edge, now, frequency);
                return tokens >= edge.Burst;
            }
        }

        void Refill(SipEdgeOptions edge, long now, long frequency)
        {
            tokens = Math.Min(edge.Burst, tokens + (now - updated) * edge.RequestsPerSecond / frequency);
            updated = now;
        }
    }
}
