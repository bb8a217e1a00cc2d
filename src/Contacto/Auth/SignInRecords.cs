using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Contacto.Auth;

/// <summary>Section <c>Auth:SignIns</c>: how often a client's successful API authentication is recorded.</summary>
internal sealed class SignInRecordOptions
{
    public const string Section = "Auth:SignIns";

    /// <summary>
    /// A successful API authentication is recorded in the audit trail once per Auth ID, source
    /// address and user agent within this time. Every failure is recorded, and every request's
    /// own action is recorded with the same actor. 0 records each success.
    /// </summary>
    public int RecordSeconds { get; set; } = 300;
}

/// <summary>
/// Which clients had a successful authentication recorded lately, so that a client sending a
/// thousand requests a second leaves one sign-in record per <see cref="SignInRecordOptions.RecordSeconds"/>
/// rather than one per request, as a browser session leaves one per sign-in. Bounded in size.
/// </summary>
internal sealed class SignInRecords : IDisposable
{
    const int MaxEntries = 100_000;

    readonly IOptionsMonitor<SignInRecordOptions> options;
    readonly MemoryCache recorded;

    public SignInRecords(IOptionsMonitor<SignInRecordOptions> options, TimeProvider time)
    {
        this.options = options;
        recorded = new MemoryCache(new MemoryCacheOptions { SizeLimit = MaxEntries, Clock = new ClockAdapter(time) });
    }

    /// <summary>True when this success should be recorded: the first for this client within the record time.</summary>
    public bool ShouldRecord(string authId, string? sourceAddress, string? userAgent)
    {
        var seconds = options.CurrentValue.RecordSeconds;
        if (seconds <= 0)
            return true;
        var key = (authId, sourceAddress, userAgent);
        if (recorded.TryGetValue(key, out _))
            return false;
        using var entry = recorded.CreateEntry(key);
        entry.Value = true;
        entry.Size = 1;
        entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>This client's success could not be recorded: the next one must be.</summary>
    public void NotRecorded(string authId, string? sourceAddress, string? userAgent) => recorded.Remove((authId, sourceAddress, userAgent));

    public void Dispose() => recorded.Dispose();

    /// <summary>Moves the cache's clock with the platform's <see cref="TimeProvider"/>, so tests can too.</summary>
    sealed class ClockAdapter(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
