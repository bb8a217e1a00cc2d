using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Voice;

/// <summary>
/// One call leg: queued by the API, live while it rings and talks, then its CDR. Numbers and the
/// customer's URLs are sealed with the account's key (bound to <see cref="Id"/>); the numbers also
/// carry blind indexes so lists can filter on them. A queued call waits in the engine's queue
/// (<see cref="NextAttemptAt"/>); the node that places it holds a lease on it
/// (<see cref="ClaimedUntil"/>) for as long as the call is up, so a call whose node died can be
/// told from one that is still talking.
/// </summary>
internal sealed class Call : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>The API request that asked for the call (Plivo's <c>request_uuid</c>); a request with several destinations has one call per destination.</summary>
    public Guid RequestId { get; set; }
    public string Direction { get; set; } = CallDirections.Outbound;
    public string State { get; set; } = CallStates.Queued;

    public byte[]? FromSealed { get; set; }
    public byte[]? ToSealed { get; set; }
    public byte[]? FromIndex { get; set; }
    public byte[]? ToIndex { get; set; }
    public byte[]? CallerNameSealed { get; set; }

    /// <summary>ISO 3166 alpha-2 of the destination, which picks the trunks.</summary>
    public string DestinationCountry { get; set; } = "";

    public byte[] AnswerUrlSealed { get; set; } = [];
    public string AnswerMethod { get; set; } = "POST";
    public byte[]? FallbackUrlSealed { get; set; }
    public string FallbackMethod { get; set; } = "POST";
    public byte[]? HangupUrlSealed { get; set; }
    public string HangupMethod { get; set; } = "POST";
    public byte[]? RingUrlSealed { get; set; }
    public string RingMethod { get; set; } = "POST";

    public int RingTimeoutSeconds { get; set; } = 60;
    public int TimeLimitSeconds { get; set; } = 14400;
    public string? RequesterIp { get; set; }

    /// <summary>The trunk that carried the call, by configured name.</summary>
    public string? Carrier { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    public int? HangupCauseCode { get; set; }
    public string? HangupCauseName { get; set; }
    public string? HangupSource { get; set; }

    /// <summary>When a node may take the queued call; null once taken.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>The lease of the node that has the call, renewed while the call is up.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>RTCP's figures for the call, from the far end's reports and ours.</summary>
    public double? JitterMilliseconds { get; set; }
    public double? PacketLossFraction { get; set; }

    public const string FromPurpose = "call.from";
    public const string ToPurpose = "call.to";
    public const string CallerNamePurpose = "call.caller_name";
    public const string AnswerUrlPurpose = "call.answer_url";
    public const string FallbackUrlPurpose = "call.fallback_url";
    public const string HangupUrlPurpose = "call.hangup_url";
    public const string RingUrlPurpose = "call.ring_url";

    public bool IsLive => CallStates.IsLive(State);

    /// <summary>Whole seconds from answer to end, rounded up: Plivo's <c>call_duration</c> and <c>bill_duration</c>.</summary>
    public int BillDurationSeconds => AnsweredAt is { } answered && EndedAt is { } ended ? (int)Math.Ceiling((ended - answered).TotalSeconds) : 0;
}

internal static class CallStates
{
    public const string Queued = "queued";
    public const string Ringing = "ringing";
    public const string InProgress = "in-progress";
    public const string Completed = "completed";
    public const string Busy = "busy";
    public const string Failed = "failed";
    public const string Timeout = "timeout";
    public const string NoAnswer = "no-answer";
    public const string Cancel = "cancel";

    public static readonly string[] Final = [Completed, Busy, Failed, Timeout, NoAnswer, Cancel];

    public static bool IsLive(string state) => state is Ringing or InProgress;
}

internal static class CallDirections
{
    public const string Outbound = "outbound";
    public const string Inbound = "inbound";
}

sealed class CallConfiguration : IEntityTypeConfiguration<Call>
{
    public void Configure(EntityTypeBuilder<Call> builder)
    {
        builder.ToTable("calls");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Direction).HasMaxLength(8);
        builder.Property(c => c.State).HasMaxLength(12);
        builder.Property(c => c.DestinationCountry).HasMaxLength(2);
        builder.Property(c => c.AnswerMethod).HasMaxLength(4);
        builder.Property(c => c.FallbackMethod).HasMaxLength(4);
        builder.Property(c => c.HangupMethod).HasMaxLength(4);
        builder.Property(c => c.RingMethod).HasMaxLength(4);
        builder.Property(c => c.RequesterIp).HasMaxLength(45);
        builder.Property(c => c.Carrier).HasMaxLength(64);
        builder.Property(c => c.HangupCauseName).HasMaxLength(64);
        builder.Property(c => c.HangupSource).HasMaxLength(16);
        builder.Property(c => c.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(c => c.AnsweredAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(c => c.EndedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(c => c.NextAttemptAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(c => c.ClaimedUntil).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Ignore(c => c.IsLive);
        builder.Ignore(c => c.BillDurationSeconds);
        // Only calls waiting for a node are in it.
        builder.HasIndex(c => c.NextAttemptAt).HasFilter("\"NextAttemptAt\" IS NOT NULL");
        builder.HasIndex(c => new { c.AccountId, c.CreatedAt });
        builder.HasIndex(c => new { c.AccountId, c.RequestId });
        builder.HasIndex(c => new { c.AccountId, c.State });
    }
}
