using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Contacto.Platform;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Contacto.Audit;

/// <summary>
/// Failed and throttled authentications, tallied per account chain, source (<see cref="ClientSource"/>)
/// and minute, and written to the audit trail by <see cref="FailedAuthenticationWriter"/> as one
/// record per tally, off the request path. A record per failure would append to the named
/// account's chain under its lock on every attempt, so anyone naming an Auth ID or e-mail address
/// could contend the lock its owner's changes need; a tally costs the chain one append per source
/// and minute. Tallies hold no credential: an identity that names no account (perhaps a token
/// typed into the wrong field) is dropped, and the tally lands in the platform's chain.
/// </summary>
internal sealed partial class FailedAuthentications(TimeProvider time, AuditWriter writer, ILogger<FailedAuthentications> logger)
{
    /// <summary>Tallies kept at most between two writes; past this, failures of a new source are tallied with the chain's other sources.</summary>
    internal const int MaxTallies = 10_000;

    readonly record struct Key(
        Guid? AccountId, string Action, ActorKind ActorKind, string? ActorId, string? AuthId,
        string? ResourceType, string? ResourceId, AuditOutcome Outcome, IPNetwork? Source, DateTimeOffset Minute);

    /// <summary>One key's failures; closed once taken for writing, so a failure counted after that starts a new tally.</summary>
    sealed class Tally
    {
        readonly Lock gate = new();
        readonly SortedDictionary<string, int> reasons = new(StringComparer.Ordinal);
        int count;
        string? userAgent;
        bool closed;

        public bool TryAdd(string reason, string? agent, int times = 1)
        {
            lock (gate)
            {
                if (closed)
                    return false;
                count += times;
                reasons[reason] = reasons.GetValueOrDefault(reason) + times;
                userAgent = agent ?? userAgent;
                return true;
            }
        }

        public Snapshot Close()
        {
            lock (gate)
            {
                closed = true;
                return new Snapshot(count, new SortedDictionary<string, int>(reasons, StringComparer.Ordinal), userAgent);
            }
        }
    }

    sealed record Snapshot(int Count, IReadOnlyDictionary<string, int> Reasons, string? UserAgent);

    readonly ConcurrentDictionary<Key, Tally> tallies = new();
    int tallied;

    /// <summary>
    /// Counts one failure in <paramref name="accountId"/>'s chain (the platform's when null, and
    /// then without the actor's identity or the resource, which name no account).
    /// </summary>
    public void Add(Guid? accountId, string action, AuditActor actor, string? resourceType, string? resourceId,
        AuditOutcome outcome, IPAddress? source, string reason)
    {
        var known = accountId is not null;
        var key = new Key(accountId, action, actor.Kind, known ? actor.Id : null, known ? actor.AuthId : null,
            resourceType, known ? resourceId : null, outcome, ClientSource.Of(source), Minute(time.GetUtcNow()));
        Count(key, reason, AuditText.Clip(actor.UserAgent, 256), 1);
    }

    void Count(Key key, string reason, string? userAgent, int times)
    {
        while (true)
        {
            if (!tallies.TryGetValue(key, out var tally))
            {
                if (Volatile.Read(ref tallied) >= MaxTallies)
                    key = key with { Source = null };
                tally = tallies.GetOrAdd(key, _ =>
                {
                    Interlocked.Increment(ref tallied);
                    return new Tally();
                });
            }
            if (tally.TryAdd(reason, userAgent, times))
                return;
        }
    }

    /// <summary>
    /// Writes the tallies of minutes that have ended (all of them when <paramref name="all"/>), one
    /// audit record each. Tallies that could not be written are counted again for the next write.
    /// </summary>
    public async Task WriteAsync(bool all)
    {
        var thisMinute = Minute(time.GetUtcNow());
        var due = new List<(Key Key, Snapshot Snapshot)>();
        foreach (var key in tallies.Keys.Where(k => all || k.Minute < thisMinute))
        {
            if (!tallies.TryRemove(key, out var tally))
                continue;
            Interlocked.Decrement(ref tallied);
            due.Add((key, tally.Close()));
        }
        var writes = due.Select(d => writer.WriteAsync(Entry(d.Key, d.Snapshot))).ToList();
        try
        {
            await Task.WhenAll(writes);
        }
        catch (Exception e)
        {
            var failed = due.Where((_, i) => !writes[i].IsCompletedSuccessfully).ToList();
            LogNotWritten(logger, e, failed.Count);
            foreach (var (key, snapshot) in failed)
                foreach (var (reason, times) in snapshot.Reasons)
                    Count(key, reason, snapshot.UserAgent, times);
        }
    }

    static DateTimeOffset Minute(DateTimeOffset instant) => new(instant.UtcTicks - instant.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    static AuditEntry Entry(Key key, Snapshot tally)
    {
        var reasons = string.Join(", ", tally.Reasons.Select(r => $"{r.Key} ({r.Value})"));
        var source = key.Source is { } network ? ClientSource.Describe(network) : "various";
        var from = key.Minute.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return new AuditEntry(key.AccountId, new AuditActor(key.ActorKind, key.ActorId, key.AuthId, source, tally.UserAgent),
            key.Action, key.ResourceType, key.ResourceId, key.Outcome, $"{tally.Count} in the minute from {from} UTC: {reasons}");
    }

    [LoggerMessage(EventId = 802, Level = LogLevel.Error, Message = "Tallies of {Count} failed authentications could not be written to the audit trail; trying again with the next write")]
    private static partial void LogNotWritten(ILogger logger, Exception exception, int count);
}

/// <summary>Writes the tallies of failed authentications every 15 seconds, and all of them when the server stops.</summary>
internal sealed class FailedAuthenticationWriter(FailedAuthentications failures, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await failures.WriteAsync(all: false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await failures.WriteAsync(all: true);
    }
}
