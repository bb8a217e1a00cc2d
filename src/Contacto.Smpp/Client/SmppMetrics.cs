using System.Diagnostics.Metrics;

namespace Contacto.Smpp.Client;

/// <summary>
/// Instruments of the "Contacto.Smpp" meter; the host exports them (Prometheus on the ops
/// plane). Tags carry bind names and statuses, never numbers or text.
/// </summary>
public static class SmppMetrics
{
    public const string MeterName = "Contacto.Smpp";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Submits =
        Meter.CreateCounter<long>("smpp.submits", "{pdu}", "submit_sm answered, by bind and status");

    internal static readonly Histogram<double> SubmitDuration =
        Meter.CreateHistogram<double>("smpp.submit.duration", "s", "submit_sm to submit_sm_resp");

    internal static readonly Counter<long> Throttled =
        Meter.CreateCounter<long>("smpp.throttled", "{pdu}", "ESME_RTHROTTLED or ESME_RMSGQFUL answers, by bind");

    internal static readonly Counter<long> Inbound =
        Meter.CreateCounter<long>("smpp.inbound", "{pdu}", "deliver_sm and data_sm received, by bind and kind (receipt, mo)");

    internal static readonly Counter<long> BindDown =
        Meter.CreateCounter<long>("smpp.bind.down", "{bind}", "binds lost, by bind and reason");
}
