using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Contacto.Auth;

/// <summary>Section <c>Auth:Throttle</c>: how repeated authentication failures are slowed and then refused.</summary>
public sealed class AuthThrottleOptions
{
    public const string Section = "Auth:Throttle";

    /// <summary>Failures are counted within this window from the first one.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures beyond this many are answered more and more slowly.</summary>
    public int SlowAfter { get; set; } = 5;

    /// <summary>At this many failures the source or Auth ID is refused with 429 until the window ends.</summary>
    public int RefuseAfter { get; set; } = 20;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Tracked keys beyond this are pruned of expired windows, bounding memory under attack.</summary>
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
/// Counts authentication failures per source address and per Auth ID (this node's view; each node
/// of a cluster throttles on its own). Slows answers after <see cref="AuthThrottleOptions.SlowAfter"/>
/// failures, refuses after <see cref="AuthThrottleOptions.RefuseAfter"/>. A success clears the Auth
/// ID's count but not the address's, so one valid account cannot launder guesses at others.
/// </summary>
public sealed class AuthThrottle(IOptions<AuthThrottleOptions> options, TimeProvider time)
{
    sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start = start;
        public int Failures;
    }

    readonly AuthThrottleOptions options = options.Value;
    readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait, when any of its keys is refused.</summary>
    public TimeSpan? RefusedFor(string source, string? authId)
    {
        var now = time.GetUtcNow();
        TimeSpan? longest = null;
        foreach (var key in Keys(source, authId))
        {
            if (windows.TryGetValue(key, out var window) && Live(window, now) && window.Failures >= options.RefuseAfter)
            {
                var remaining = window.Start + options.Window - now;
                if (longest is null || remaining > longest)
                    longest = remaining;
            }
        }
        return longest;
    }

    /// <summary>Counts a failure; returns how long to hold the answer back.</summary>
    public TimeSpan RecordFailure(string source, string? authId)
    {
        var now = time.GetUtcNow();
        if (windows.Count >= options.MaxTrackedKeys)
            Prune(now);
        var worst = 0;
        foreach (var key in Keys(source, authId))
        {
            if (windows.Count >= options.MaxTrackedKeys && !windows.ContainsKey(key))
                continue; // full of live windows: keep counting the keys already known
            var window = windows.AddOrUpdate(key, _ => new Window(now), (_, existing) => Live(existing, now) ? existing : new Window(now));
            worst = Math.Max(worst, Interlocked.Increment(ref window.Failures));
        }
        if (worst <= options.SlowAfter)
            return TimeSpan.Zero;
        var doublings = Math.Min(worst - options.SlowAfter - 1, 16);
        var delay = options.BaseDelay * Math.Pow(2, doublings);
        return delay < options.MaxDelay ? delay : options.MaxDelay;
    }

    public void RecordSuccess(string authId) => windows.TryRemove(AuthIdKey(authId), out _);

    bool Live(Window window, DateTimeOffset now) => now - window.Start < options.Window;

    void Prune(DateTimeOffset now)
    {
        foreach (var (key, window) in windows)
            if (!Live(window, now))
                windows.TryRemove(key, out _);
    }

    static IEnumerable<string> Keys(string source, string? authId)
    {
        yield return "ip:" + source;
        if (authId is not null)
            yield return AuthIdKey(authId);
    }

    static string AuthIdKey(string authId) => "id:" + authId;
}
