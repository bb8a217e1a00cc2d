using System.Net;
using BitFaster.Caching.Lru;
using Contacto.Platform;
using Microsoft.Extensions.Options;

namespace Contacto.Auth;

/// <summary>Section <c>Auth:Throttle</c>: how repeated authentication failures are slowed and then refused.</summary>
internal sealed class AuthThrottleOptions
{
    public const string Section = "Auth:Throttle";

    /// <summary>Failures are counted within this window from the first one.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures beyond this many, from a source or naming an identity, are answered more and more slowly.</summary>
    public int SlowAfter { get; set; } = 5;

    /// <summary>At this many failures a source is refused with 429 until the window ends.</summary>
    public int RefuseAfter { get; set; } = 20;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many sources, and how many identities, are tracked at most; the least recently failing are forgotten first.</summary>
    public int MaxTrackedKeys { get; set; } = 100_000;
}

sealed class AuthThrottleOptionsValidator : IValidateOptions<AuthThrottleOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthThrottleOptions o)
    {
        var errors = new List<string>();
        if (o.Window <= TimeSpan.Zero)
            errors.Add("Auth:Throttle:Window: must be positive");
        if (o.SlowAfter < 1)
            errors.Add("Auth:Throttle:SlowAfter: must be at least 1");
        if (o.RefuseAfter <= o.SlowAfter)
            errors.Add("Auth:Throttle:RefuseAfter: must be more than Auth:Throttle:SlowAfter");
        if (o.BaseDelay < TimeSpan.Zero || o.MaxDelay < o.BaseDelay)
            errors.Add("Auth:Throttle:MaxDelay: must be at least Auth:Throttle:BaseDelay, which cannot be negative");
        if (o.MaxTrackedKeys < 100)
            errors.Add("Auth:Throttle:MaxTrackedKeys: must be at least 100");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// Counts authentication failures per source and per identity (an Auth ID, a console e-mail
/// address), on this node's view. Failures slow the answers to further failures, then refuse the
/// <em>source</em> (with 429, whatever it sends) until its window ends. An identity is never
/// refused: counting per identity only slows failures that name it, so an attacker who names
/// someone's Auth ID or e-mail address cannot lock its owner out; a correct credential from
/// another source is neither refused nor slowed. A success clears the identity's count but not the
/// source's, so one valid credential cannot launder guesses at others.
/// </summary>
/// <remarks>
/// Sources are client addresses, IPv6 ones by their /64 (<see cref="ClientSource"/>). Both tables
/// are bounded by <see cref="AuthThrottleOptions.MaxTrackedKeys"/> and keep counting whatever
/// arrives when full: each is a scan-resistant concurrent LRU (BitFaster.Caching's ConcurrentLru,
/// a 2Q variant, O(1) per operation without a global lock), split in three equal queues. A new key
/// enters probation (hot, then cold) and is forgotten first; a key seen again while on probation (a
/// repeat offender: each attempt looks it up, then counts it) moves to the protected (warm) queue,
/// which keys seen once never enter once the table has filled, so a flood of one-time keys cannot
/// push it out. A key is lost
/// only if two thirds of the table's size in new keys arrive between its first two failures, or a
/// third of it in other repeat offenders pass it: an attacker needs about that many sources, which
/// give as many windows of guesses anyway. Counts are exact for tracked keys (an approximate sketch
/// would start refusing innocent sources once a flood saturated its counters).
/// </remarks>
internal sealed class AuthThrottle(IOptions<AuthThrottleOptions> options, TimeProvider time)
{
    /// <summary>Failures within a window that starts at the first of them.</summary>
    sealed class Window
    {
        readonly Lock gate = new();
        DateTimeOffset start;
        int failures;

        /// <summary>Failures so far and when the window ends; none once it has ended.</summary>
        public (int Failures, DateTimeOffset Ends) Read(DateTimeOffset now, TimeSpan length)
        {
            lock (gate)
                return now - start < length ? (failures, start + length) : (0, now);
        }

        public int Add(DateTimeOffset now, TimeSpan length)
        {
            lock (gate)
            {
                if (now - start >= length)
                    (start, failures) = (now, 0);
                return ++failures;
            }
        }
    }

    readonly AuthThrottleOptions options = options.Value;
    readonly ConcurrentLru<IPNetwork, Window> sources = new(Environment.ProcessorCount, new EqualCapacityPartition(options.Value.MaxTrackedKeys), EqualityComparer<IPNetwork>.Default);
    readonly ConcurrentLru<string, Window> identities = new(Environment.ProcessorCount, new EqualCapacityPartition(options.Value.MaxTrackedKeys), StringComparer.Ordinal);

    /// <summary>How many sources and identities are tracked now.</summary>
    internal (int Sources, int Identities) Tracked => (sources.Count, identities.Count);

    /// <summary>How long <paramref name="source"/> must still wait, when it is refused.</summary>
    public TimeSpan? RefusedFor(IPAddress? source)
    {
        if (!sources.TryGet(ClientSource.Of(source), out var window))
            return null;
        var now = time.GetUtcNow();
        var (failures, ends) = window.Read(now, options.Window);
        return failures >= options.RefuseAfter ? ends - now : null;
    }

    /// <summary>Counts a failure from <paramref name="source"/> naming <paramref name="identity"/>; returns how long to hold its answer back.</summary>
    public TimeSpan RecordFailure(IPAddress? source, string? identity)
    {
        var now = time.GetUtcNow();
        var worst = sources.GetOrAdd(ClientSource.Of(source), static _ => new Window()).Add(now, options.Window);
        if (identity is not null)
            worst = Math.Max(worst, identities.GetOrAdd(identity, static _ => new Window()).Add(now, options.Window));
        if (worst <= options.SlowAfter)
            return TimeSpan.Zero;
        var doublings = Math.Min(worst - options.SlowAfter - 1, 16);
        var delay = options.BaseDelay * Math.Pow(2, doublings);
        return delay < options.MaxDelay ? delay : options.MaxDelay;
    }

    public void RecordSuccess(string identity) => identities.TryRemove(identity);
}
