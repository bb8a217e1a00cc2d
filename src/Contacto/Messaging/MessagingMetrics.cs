using System.Diagnostics.Metrics;

namespace Contacto.Messaging;

/// <summary>The message pipeline's counters, exported on the ops plane's /metrics.</summary>
internal sealed class MessagingMetrics
{
    public const string MeterName = "Contacto.Messaging";

    readonly Counter<long> accepted;
    readonly Counter<long> states;
    readonly Histogram<double> queuedToSent;
    readonly Counter<long> inbound;
    readonly Counter<long> replies;

    public MessagingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        accepted = meter.CreateCounter<long>("contacto.message.accepted", "{message}", "Messages accepted by the API");
        states = meter.CreateCounter<long>("contacto.message.states", "{message}", "Messages reaching a state (sent, delivered, undelivered, failed)");
        inbound = meter.CreateCounter<long>("contacto.message.inbound", "{message}", "Mobile-originated messages from carriers by outcome (received, part_stored, unknown_number, undecodable)");
        replies = meter.CreateCounter<long>("contacto.message.inbound.replies", "{reply}", "XML replies of applications to inbound messages by outcome (sent, invalid, refused)");
        queuedToSent = meter.CreateHistogram<double>("contacto.message.queued_to_sent.duration", "s", "Time from acceptance to the carrier's acknowledgement");
    }

    public void Accepted(int count) => accepted.Add(count);

    public void Inbound(string outcome) => inbound.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Reply(string outcome) => replies.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Reached(string state) => states.Add(1, new KeyValuePair<string, object?>("state", state));

    public void Sent(TimeSpan afterAcceptance)
    {
        Reached(MessageStates.Sent);
        queuedToSent.Record(afterAcceptance.TotalSeconds);
    }
}
