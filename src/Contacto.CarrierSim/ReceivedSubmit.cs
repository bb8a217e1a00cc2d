using Contacto.Smpp.Protocol;

namespace Contacto.CarrierSim;

/// <summary>A submit the simulator accepted, as the test or the operator sees it.</summary>
public sealed record ReceivedSubmit(string SystemId, SubmitSm Pdu, string MessageId);
