namespace Contacto.Sip.Transactions;

/// <summary>RFC 3261's timer values (17.1.1.1, table 4); every other timer derives from T1, T2 and T4.</summary>
public sealed record SipTimers
{
    public static readonly SipTimers Default = new();

    /// <summary>Round-trip estimate: first retransmission interval.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest retransmission interval for non-INVITE requests and INVITE responses.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How long a message can stay in the network.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timers B, F, H and J: 64*T1, the life of a transaction without an answer.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;

    /// <summary>Timer D over UDP: at least 32 s, to absorb retransmitted final responses.</summary>
    public TimeSpan TimerD => TimeSpan.FromSeconds(32) > TransactionTimeout ? TimeSpan.FromSeconds(32) : TransactionTimeout;
}
