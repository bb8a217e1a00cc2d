using QRCoder;

namespace Contacto.Console;

/// <summary>
/// An authenticator key's <c>otpauth:</c> link as a QR code, drawn on the server (QRCoder) as inline
/// SVG: one path with fill attributes and no style, so the page's CSP stays as it is (no <c>data:</c>
/// images, no inline style), it scales crisply to any screen, and no other request or service ever
/// sees the key.
/// </summary>
internal static class TotpQrCode
{
    public static string Svg(string otpauthUri)
    {
        using var data = QRCodeGenerator.GenerateQrCode(otpauthUri, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(1, "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute)
            .Replace("<svg ", "<svg role=\"img\" aria-label=\"QR code of the key\" ", StringComparison.Ordinal);
    }
}
