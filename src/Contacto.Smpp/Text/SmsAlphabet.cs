namespace Contacto.Smpp.Text;

/// <summary>Character sets a short message can be written in.</summary>
public enum SmsAlphabet
{
    /// <summary>GSM 03.38 default alphabet with its extension table.</summary>
    Gsm7,

    Latin1,

    Ucs2,

    /// <summary>IA5 / ASCII: read from carriers, never chosen for sending.</summary>
    Ascii,
}
