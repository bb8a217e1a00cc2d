using Contacto.Smpp.Receipts;
using Contacto.Smpp.Text;

namespace Contacto.Smpp.Client;

/// <summary>One carrier: its binds (several, for throughput and resilience) and how it wants text.</summary>
public sealed class SmppCarrierOptions
{
    public required string Name { get; init; }

    public required IReadOnlyList<SmppBindOptions> Binds { get; init; }

    public TextProfile Text { get; init; } = TextProfile.Default;

    /// <summary>How the carrier writes message ids, so its receipts can be matched to submits.</summary>
    public MessageIdFormats MessageIds { get; init; } = MessageIdFormats.Opaque;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        if (Binds.Count == 0)
        {
            throw new ArgumentException("A carrier needs at least one bind.", nameof(Binds));
        }
        if (Binds.Select(b => b.Name).Distinct().Count() != Binds.Count)
        {
            throw new ArgumentException("Bind names must differ within a carrier.", nameof(Binds));
        }
        foreach (var bind in Binds)
        {
            bind.Validate();
        }
    }
}
