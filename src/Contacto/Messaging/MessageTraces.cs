using System.Diagnostics;
using Contacto.Observability;

namespace Contacto.Messaging;

/// <summary>
/// The spans of a message's path (accepted, submitted, settled; received for an inbound one), each
/// a root span of the trace named after the message (<see cref="TracingSetup.TraceOf"/>). They
/// carry ids, states and carrier names, never numbers or text.
/// </summary>
static class MessageTraces
{
    public static readonly ActivitySource Source = new(TracingSetup.SourcePrefix + "Messaging");

    public static Activity? Start(string step, Message message)
    {
        if (!Source.HasListeners())
            return null;
        var activity = Source.StartActivity(step, ActivityKind.Internal, TracingSetup.TraceOf(message.Id));
        activity?.SetTag("messaging.message.id", message.Id.ToString());
        activity?.SetTag("contacto.account.id", message.AccountId.ToString());
        activity?.SetTag("contacto.destination.country", message.DestinationCountry);
        return activity;
    }
}
