using System.Collections.Concurrent;
using Contacto.Carriers;
using Contacto.Carriers.Smpp;
using Contacto.CarrierSim;
using Contacto.Tls;

namespace Contacto.Server;

/// <summary>
/// The embedded default's carriers: two SMSC simulators in this process on loopback ports,
/// serving every country, used when no carrier is configured (or <c>Carriers:Simulated</c> says so).
/// With the generated certificate they serve TLS, so that the platform reaches them as it reaches
/// real carriers; with an operator's own certificate (no local CA to trust) they speak in clear.
/// </summary>
public sealed class SimulatedCarriers(ServerCertificateStore certificates, TimeProvider time, ILoggerFactory loggers) : IEmbeddedCarriers, IAsyncDisposable
{
    public static readonly string[] Names = ["sim-a", "sim-b"];

    readonly ConcurrentDictionary<string, (SmscSimulator Simulator, CarrierOptions Carrier)> running = new(StringComparer.Ordinal);

    /// <summary>A running simulator, to inject traffic or failures (tests, benchmarks).</summary>
    public SmscSimulator this[string name] => running[name].Simulator;

    public IEnumerable<SmscSimulator> Running => running.Values.Select(r => r.Simulator);

    public IReadOnlyList<CarrierOptions> Start() => [.. Names.Select(name => running.GetOrAdd(name, StartOne).Carrier)];

    public async ValueTask StopAsync(string name)
    {
        if (running.TryRemove(name, out var stopped))
            await stopped.Simulator.DisposeAsync();
    }

    (SmscSimulator, CarrierOptions) StartOne(string name)
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

    public async ValueTask DisposeAsync()
    {
        foreach (var name in running.Keys)
            await StopAsync(name);
    }
}
