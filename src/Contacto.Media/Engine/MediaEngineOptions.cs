using System.Net;
using Contacto.Media.Rtp;

namespace Contacto.Media.Engine;

public sealed record MediaEngineOptions
{
    /// <summary>The address RTP sockets bind to.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>The RTP port range (RTCP on each RTP port plus one). Keep it outside the kernel's ephemeral range.</summary>
    public int MinPort { get; init; } = 16384;

    public int MaxPort { get; init; } = 32767;

    public EphemeralOverlapPolicy EphemeralOverlap { get; init; } = EphemeralOverlapPolicy.Refuse;

    /// <summary>Pacing loops (threads), each driving the 10 ms frames of its share of the calls. Default: one per core.</summary>
    public int PacingLoops { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// How the pacing threads are scheduled (Linux; needs root or CAP_SYS_NICE, else they run at
    /// the process's priority, see <see cref="MediaEngine.PacingLoopPriorities"/>). Default
    /// <see cref="PacingPriority.Raised"/>; <see cref="PacingPriority.RealTime"/> on a host whose
    /// other work would otherwise make frames late.
    /// </summary>
    public PacingPriority PacingPriority { get; init; } = PacingPriority.Raised;

    /// <summary>
    /// Send to where the peer's packets come from instead of its SDP address (callers behind NAT).
    /// The source is taken from the first valid packet (the negotiated payload type, authenticated
    /// under SRTP); afterwards packets from elsewhere are dropped unless they carry the stream's
    /// SSRC and either pass SRTP authentication or the latched source has been silent for
    /// <see cref="RelatchAfter"/>.
    /// </summary>
    public bool SymmetricRtp { get; init; } = true;

    public TimeSpan RelatchAfter { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);

    public int JitterMinimumMilliseconds { get; init; } = 40;

    public int JitterMaximumMilliseconds { get; init; } = 300;

    /// <summary>The procfs root for the ephemeral range check (tests point it elsewhere).</summary>
    public string ProcRoot { get; init; } = "/proc";
}
