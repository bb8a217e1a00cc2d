using System.Security.Cryptography.X509Certificates;
using Contacto.Carriers.Sip;
using Contacto.Carriers.Smpp;
using Contacto.Status;
using Contacto.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers;

public static class CarriersServiceCollectionExtensions
{
    /// <summary>
    /// Carrier configuration, the router and its policies, health and metrics, and the protocol
    /// adapters. The carriers' receipts and inbound texts go to the <see cref="ICarrierReceiptSink"/>
    /// and <see cref="ICarrierMessageSink"/> the product capabilities register; offered calls to the
    /// <see cref="ICarrierCallSink"/> (until the voice capability replaces it, every call is refused 480).
    /// </summary>
    public static IServiceCollection AddContactoCarriers(this IServiceCollection services)
    {
        services.AddOptions<CarriersOptions>().BindConfiguration(CarriersOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CarriersOptions>, CarriersOptionsValidator>();
        services.AddSingleton<ICarrierProtocol, SmppCarrierProtocol>();
        services.AddOptions<SipOptions>().BindConfiguration(SipOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SipOptions>, SipOptionsValidator>();
        services.AddSingleton<SipEdge>();
        services.AddSingleton<SipListeners>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SipEndpoint>(sp,
            (Func<X509Certificate2>)(() => sp.GetRequiredService<ServerCertificateStore>().Current)));
        services.AddSingleton<ICarrierProtocol, SipTrunkProtocol>();
        services.TryAddSingleton<ICarrierCallSink, UnavailableCallSink>();
        services.TryAddSingleton<ICarrierAvailabilityPolicy, LinkAndBreakerAvailability>();
        services.TryAddSingleton<ICarrierChoicePolicy, WeightedChoice>();
        services.AddSingleton<CarrierMetrics>();
        services.AddSingleton<CarrierPool>();
        services.AddSingleton(sp => new CarrierRouter(sp.GetRequiredService<CarrierPool>(), sp.GetRequiredService<ICarrierAvailabilityPolicy>(),
            sp.GetRequiredService<ICarrierChoicePolicy>(), sp.GetRequiredService<CarrierMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CarrierRouter>>()));
        services.AddSingleton<IComponentStatusSource, CarrierHealthSource>();
        return services;
    }

    /// <summary>
    /// The node's SIP listeners (<c>Sip:Listen</c>, bound addresses in <see cref="SipListeners"/>):
    /// open from start, so that trunks reach this node; once the host stops, new calls are refused
    /// 503. Register before <see cref="AddContactoCarrierWorkers"/>, so that they close after the trunks drained.
    /// </summary>
    public static IServiceCollection AddContactoSipListener(this IServiceCollection services) =>
        services.AddHostedService<SipListener>();

    /// <summary>The carriers' connections: opened at start, drained at stop (after the workers that use them).</summary>
    public static IServiceCollection AddContactoCarrierWorkers(this IServiceCollection services) =>
        services.AddHostedService(sp => sp.GetRequiredService<CarrierPool>());
}
