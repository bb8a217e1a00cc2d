using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Transport;

namespace Contacto.CarrierSim.Sip;

/// <summary>
/// The knobs of the simulated SIP trunk. Replace <see cref="SipTrunkSimulator.Options"/> with a
/// changed copy at any time; the call behaviour applies to the next INVITE, <see cref="Silent"/>
/// to the next message.
/// </summary>
public sealed record SipTrunkSimulatorOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>UDP port (0: any free one); null: no UDP.</summary>
    public int? UdpPort { get; init; } = 0;

    /// <summary>TCP port (0: any free one); null: no TCP listener.</summary>
    public int? TcpPort { get; init; } = 0;

    /// <summary>TLS port (0: any free one) with <see cref="TlsCertificate"/>; null: no TLS listener.</summary>
    public int? TlsPort { get; init; }

    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>How the simulator opens TLS connections (calls it places), e.g. which CA it trusts; null: the system's check.</summary>
    public Func<SipTarget, SslClientAuthenticationOptions>? TlsClient { get; init; }

    /// <summary>Challenge INVITEs (digest, 401) and accept only these credentials; null: no challenge.</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>The algorithm of the challenge: SHA-256 (RFC 8760) or MD5.</summary>
    public string DigestAlgorithm { get; init; } = "SHA-256";

    /// <summary>Answer nothing at all (OPTIONS included), and neither answer nor hang up calls in progress: a trunk that hangs.</summary>
    public bool Silent { get; init; }

    /// <summary>Refuse every INVITE with this final status (after ringing, if <see cref="RingFor"/> is set); null: answer.</summary>
    public int? RejectStatus { get; init; }

    /// <summary>Retry-After (seconds) on a 503 refusal.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Send 180 Ringing before the final answer (unless <see cref="EarlyMedia"/>).</summary>
    public bool Ring { get; init; } = true;

    /// <summary>Send 183 Session Progress with an SDP answer (early media) before the final answer; with audio, the tone plays during it.</summary>
    public bool EarlyMedia { get; init; }

    /// <summary>Time from the INVITE to the final answer (or refusal), ringing meanwhile.</summary>
    public TimeSpan RingFor { get; init; }

    /// <summary>Ring until the caller cancels: never a final answer.</summary>
    public bool NeverAnswer { get; init; }

    /// <summary>Hang up (BYE) this long after answering; null: wait for the caller's BYE.</summary>
    public TimeSpan? HangUpAfter { get; init; }

    /// <summary>Once answered (or in early media), send a 440 Hz tone (G.711) this long; zero: no audio.</summary>
    public TimeSpan PlayFor { get; init; }

    /// <summary>DTMF digits (RFC 4733 events) sent once answered, after the tone.</summary>
    public string SendDigits { get; init; } = "";

    /// <summary>The media payload each call keeps of what it receives (bytes); more is counted, not kept.</summary>
    public int RecordLimitBytes { get; init; } = 8000 * 60;

    public string Realm { get; init; } = "carrier-sim";
}
