using Contacto.Smpp.Session;

namespace Contacto.Smpp.Client;

/// <summary>What a router needs to decide failover: is the bind up, how quick, why it went down.</summary>
public sealed record BindHealth(
    string Name,
    BindState State,
    TimeSpan? LastEnquireLinkRoundTrip,
    int Outstanding,
    double CurrentTransactionsPerSecond,
    DateTimeOffset Since,
    ConnectionCloseReason? LastCloseReason,
    string? LastError)
{
    public bool IsUp => State == BindState.Bound;
}
