using Contacto.Smpp.Protocol;

namespace Contacto.CarrierSim;

/// <summary>A receipt outcome and its weight in the mix, with the err value it reports.</summary>
public sealed record ReceiptOutcome(MessageState State, double Weight, string Error = "000");
