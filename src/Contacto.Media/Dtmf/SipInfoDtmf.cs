using System.Text;

namespace Contacto.Media.Dtmf;

/// <summary>
/// Reads the digit of a SIP INFO body: application/dtmf-relay ("Signal=5\r\nDuration=160") or
/// application/dtmf ("5", or the event code "11" for #). The SIP layer answers retransmissions,
/// so every INFO it passes on is one key press.
/// </summary>
public static class SipInfoDtmf
{
    private const int MaxBody = 1024;

    public static bool TryParse(string contentType, ReadOnlySpan<byte> body, out char digit)
    {
        digit = default;
        if (body.Length is 0 or > MaxBody)
        {
            return false;
        }
        var mediaType = contentType.Split(';')[0].Trim();
        var text = Encoding.ASCII.GetString(body);
        string? value = null;
        if (mediaType.Equals("application/dtmf-relay", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var line in text.Split('\n'))
            {
                var equals = line.IndexOf('=');
                if (equals > 0 && line[..equals].Trim().Equals("Signal", StringComparison.OrdinalIgnoreCase))
                {
                    value = line[(equals + 1)..].Trim();
                    break;
                }
            }
        }
        else if (mediaType.Equals("application/dtmf", StringComparison.OrdinalIgnoreCase))
        {
            value = text.Trim();
        }
        if (value is null)
        {
            return false;
        }
        if (value.Length == 1 && DtmfDigit.IsKey(value[0]))
        {
            digit = char.ToUpperInvariant(value[0]);
            return true;
        }
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 15)
        {
            digit = DtmfDigit.Keys[code];
            return true;
        }
        return false;
    }
}
