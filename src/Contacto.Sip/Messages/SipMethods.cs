namespace Contacto.Sip.Messages;

/// <summary>Methods this library knows. Methods are case-sensitive tokens (RFC 3261 7.1).</summary>
public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Info = "INFO";
    public const string Refer = "REFER";
    public const string Notify = "NOTIFY";
    public const string Update = "UPDATE";
    public const string Prack = "PRACK";
    public const string Message = "MESSAGE";
    public const string Subscribe = "SUBSCRIBE";
}
