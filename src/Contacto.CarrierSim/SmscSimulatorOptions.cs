using System.Net;
using System.Security.Cryptography.X509Certificates;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;

namespace Contacto.CarrierSim;

/// <summary>
/// The knobs of the simulated carrier. Replace <see cref="SmscSimulator.Options"/> with a
/// changed copy at any time; new values apply to the next PDU.
/// </summary>
public sealed record SmscSimulatorOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port; read it back from <see cref="SmscSimulator.Port"/>.</summary>
    public int Port { get; init; }

    /// <summary>system_id to password. Empty accepts any credentials.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>();

    /// <summary>Delay before each submit_sm_resp.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Submits per second over all binds; beyond it submits get ESME_RTHROTTLED. 0: no cap.</summary>
    public double MaxSubmitsPerSecond { get; init; }

    /// <summary>Share of submits refused with <see cref="RejectStatus"/>, from 0 to 1.</summary>
    public double RejectRate { get; init; }

    public CommandStatus RejectStatus { get; init; } = CommandStatus.SubmitFailed;

    /// <summary>Drop the connection, without unbind, on the Nth request after connecting. 0: never.</summary>
    public int DropAfterRequests { get; init; }

    /// <summary>Answer nothing at all, enquire_link included, and keep the connection open.</summary>
    public bool Silent { get; init; }

    /// <summary>Time from submit to its delivery receipt.</summary>
    public TimeSpan ReceiptDelay { get; init; }

    /// <summary>Outcomes of receipts, drawn by weight.</summary>
    public IReadOnlyList<ReceiptOutcome> ReceiptOutcomes { get; init; } = [new(MessageState.Delivered, 1)];

    /// <summary>Seed for rejections and outcomes, for repeatable runs; null for a random one.</summary>
    public int? Seed { get; init; }

    /// <summary>
    /// Window and keep-alive of each connection; the window caps deliver_sm in flight. The
    /// keep-alive is slow, as at most carriers (30 s), so that a silent simulator stays a hung
    /// peer for the client to detect rather than closing the connection itself.
    /// </summary>
    public SmppConnectionOptions Connection { get; init; } = new()
    {
        WindowSize = 1024,
        Name = "smsc",
        EnquireLinkInterval = TimeSpan.FromSeconds(30),
        EnquireLinkTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Serve TLS with this certificate; null for plain TCP.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    public string SystemId { get; init; } = "ContactoSim";
}
