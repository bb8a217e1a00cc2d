namespace Contacto.Smpp.Text;

/// <summary>SMPP data_coding values (section 5.2.19) this library writes and reads.</summary>
public static class DataCodings
{
    /// <summary>"SMSC default alphabet": usually GSM 7-bit, Latin-1 or ASCII at some carriers.</summary>
    public const byte SmscDefault = 0x00;

    /// <summary>IA5 (ASCII), not GSM.</summary>
    public const byte Ia5 = 0x01;

    public const byte Binary = 0x02;
    public const byte Latin1 = 0x03;
    public const byte Binary8Bit = 0x04;

    /// <summary>UCS-2, sent as UTF-16BE: characters beyond the BMP take two units.</summary>
    public const byte Ucs2 = 0x08;

    /// <summary>What alphabet a data_coding value carries, or null for binary and unsupported ones.</summary>
    public static SmsAlphabet? AlphabetOf(byte dataCoding, SmsAlphabet smscDefault) => dataCoding switch
    {
        SmscDefault => smscDefault,
        Ia5 => SmsAlphabet.Ascii,
        Latin1 => SmsAlphabet.Latin1,
        Ucs2 => SmsAlphabet.Ucs2,
        // 1111xxxx: message class; bit 2 chooses 8-bit data over GSM 7-bit.
        >= 0xF0 => (dataCoding & 0x04) == 0 ? SmsAlphabet.Gsm7 : null,
        // 00xxxxxx general data coding (GSM 03.38 section 4), beyond the SMPP-defined low values.
        >= 0x10 and < 0x40 => ((dataCoding >> 2) & 0x03) switch
        {
            0 => SmsAlphabet.Gsm7,
            2 => SmsAlphabet.Ucs2,
            _ => null,
        },
        _ => null,
    };
}
