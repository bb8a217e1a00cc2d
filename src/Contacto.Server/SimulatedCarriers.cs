using System.Collections.Concurrent;
using Contacto.Carriers;
using Contacto.Carriers.Sip;
using Contacto.Carriers.Smpp;
using Contacto.CarrierSim;
using Contacto.CarrierSim.Sip;
using Contacto.Sip.Transport;
using Contacto.Tls;

namespace Contacto.Server;

/// <summary>
/// The embedded default's carriers, in this process on loopback ports, serving every country:
/// two SMSC simulators for SMS and two SIP trunk simulators for voice, used when no carrier is
/// configured (or <c>Carriers:Simulated</c> says so). With the generated certificate they serve
/// TLS, so that the platform reaches them as it reaches real carriers; with an operator's own
/// certificate (no local CA to trust) they speak in clear (the trunks over TCP).
/// </summary>
public sealed class SimulatedCarriers(ServerCertificateStore certificates, TimeProvider time, ILoggerFactory loggers) : IEmbeddedCarriers, IAsyncDisposable
{
    public static readonly string[] Names = ["sim-a", "sim-b"];

    public static readonly string[] TrunkNames = ["sim-trunk-a", "sim-trunk-b"];

    readonly ConcurrentDictionary<string, (SmscSimulator Simulator, CarrierOptions Carrier)> running = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (SipTrunkSimulator Simulator, CarrierOptions Carrier)> trunks = new(StringComparer.Ordinal);

    /// <summary>A running SMSC simulator, to inject traffic or failures (tests, benchmarks).</summary>
    public SmscSimulator this[string name] => running[name].Simulator;

    public IEnumerable<SmscSimulator> Running => running.Values.Select(r => r.Simulator);

    /// <summary>A running SIP trunk simulator, to change how it answers or place calls (tests, benchmarks).</summary>
    public SipTrunkSimulator Trunk(string name) => trunks[name].Simulator;

    public IReadOnlyList<CarrierOptions> Start(bool voice) =>
        [.. Names.Select(name => running.GetOrAdd(name, StartSmsc).Carrier), .. (voice ? TrunkNames : []).Select(name => trunks.GetOrAdd(name, StartTrunk).Carrier)];

    public async ValueTask StopAsync(string name)
    {
        if (running.TryRemove(name, out var stopped))
            await stopped.Simulator.DisposeAsync();
        if (trunks.TryRemove(name, out var trunk))
            await trunk.Simulator.DisposeAsync();
    }

    (SmscSimulator, CarrierOptions) StartSmsc(string name)
    {
        var ca = certificates.CaCertificatePath;
        var simulator = new SmscSimulator(new SmscSimulatorOptions { SystemId = name, TlsCertificate = ca is null ? null : certificates.Current },
            time, loggers.CreateLogger<SmscSimulator>());
        simulator.Start();
        return (simulator, new CarrierOptions
        {
            Name = name,
            Host = "127.0.0.1",
            Port = simulator.Port,
            Tls = ca is not null,
            TlsCaFile = ca,
            Smpp = new SmppSettings { SystemId = "contacto", Password = "sim" },
        });
    }

    (SipTrunkSimulator, CarrierOptions) StartTrunk(string name)
    {
        var ca = certificates.CaCertificatePath;
        var simulator = new SipTrunkSimulator(new SipTrunkSimulatorOptions
        {
            UdpPort = null,
            TlsPort = ca is null ? null : 0,
            TlsCertificate = ca is null ? null : certificates.Current,
            TlsClient = ca is null ? null : target => TlsPolicy.Client(target.HostName ?? target.EndPoint.Address.ToString(), ca),
        }, time, loggers.CreateLogger<SipTrunkSimulator>());
        simulator.Start();
        return (simulator, new CarrierOptions
        {
            Name = name,
            Protocol = SipTrunkSettings.ProtocolName,
            Products = [CarrierProducts.Voice],
            Host = "127.0.0.1",
            Port = simulator.Port(ca is null ? SipTransports.Tcp : SipTransports.Tls),
            Tls = ca is not null,
            TlsCaFile = ca,
            Sip = new SipTrunkSettings { Transport = ca is null ? "tcp" : null },
        });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in running.Keys.Concat(trunks.Keys))
            await StopAsync(name);
    }
}
