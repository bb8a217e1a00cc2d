namespace Contacto.Sip.Messages;

/// <summary>Text that is not valid SIP where it was read (a header value, a URI, a start line).</summary>
public sealed class SipFormatException(string message) : FormatException(message);
