using System.Globalization;
using System.Text;

namespace Contacto.Sip.Messages;

/// <summary>One Via value (RFC 3261 20.42): sent-protocol, sent-by and parameters.</summary>
public sealed class SipVia
{
    /// <summary>The branch of every transaction this library starts begins with it (RFC 3261 8.1.1.7).</summary>
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port, string branch)
    {
        Transport = transport.ToUpperInvariant();
        Host = host;
        Port = port;
        Parameters = new SipParameters().Set("branch", branch);
    }

    private SipVia(string transport, string host, int? port, SipParameters parameters)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Parameters = parameters;
    }

    /// <summary>UDP, TCP, TLS, SCTP or any other token, in upper case.</summary>
    public string Transport { get; }

    public string Host { get; }

    public int? Port { get; }

    public SipParameters Parameters { get; }

    public string? Branch => Parameters["branch"];

    public string? Received => Parameters["received"];

    /// <summary>The rport parameter is there (RFC 3581), with or without a value.</summary>
    public bool HasRPort => Parameters.Contains("rport");

    /// <summary>The rport value, filled in by the server that received the request.</summary>
    public int? RPort => int.TryParse(Parameters["rport"], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;

    public string? MAddr => Parameters["maddr"];

    /// <summary>The branch begins with the magic cookie: RFC 3261 transaction matching applies.</summary>
    public bool HasRfc3261Branch => Branch?.StartsWith(MagicCookie, StringComparison.Ordinal) == true && Branch.Length > MagicCookie.Length;

    public static SipVia Parse(string text, int maxParameters = 32)
    {
        var scanner = new SipScanner(text);
        scanner.SkipSpace();
        var name = scanner.ReadToken();
        scanner.Expect('/');
        var version = scanner.ReadToken();
        scanner.Expect('/');
        var transport = scanner.ReadToken().ToUpperInvariant();
        if (!name.Equals("SIP", StringComparison.OrdinalIgnoreCase) || version != "2.0")
        {
            throw scanner.Error("Via protocol is not SIP/2.0");
        }
        var spaceBefore = scanner.Position;
        scanner.SkipSpace();
        if (scanner.Position == spaceBefore)
        {
            throw scanner.Error("white space expected before sent-by");
        }
        var hostStart = scanner.Position;
        if (scanner.Peek == '[')
        {
            scanner.ReadWhile(static c => c != ']');
            if (scanner.AtEnd)
            {
                throw scanner.Error("']' expected");
            }
            scanner.Position++;
        }
        else
        {
            scanner.ReadWhile(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
        }
        var host = new string(scanner.Slice(hostStart, scanner.Position));
        int? port = null;
        if (scanner.TrySeparator(':'))
        {
            var digits = scanner.ReadWhile(char.IsAsciiDigit);
            if (!SipUri.TryReadPort(digits, out var value))
            {
                throw scanner.Error("bad Via port");
            }
            port = value;
        }
        (host, _) = SipUri.ReadHostPort(host);
        var parameters = SipParameters.ReadHeaderParameters(ref scanner, maxParameters);
        scanner.SkipSpace();
        if (!scanner.AtEnd)
        {
            throw scanner.Error("unexpected text in Via");
        }
        var via = new SipVia(transport, host, port, parameters);
        via.Validate();
        return via;
    }

    public SipVia Clone() => new(Transport, Host, Port, Parameters.Clone());

    public override string ToString()
    {
        var text = new StringBuilder("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port is not null)
        {
            text.Append(':').Append(Port.Value.ToString(CultureInfo.InvariantCulture));
        }
        Parameters.AppendTo(text);
        return text.ToString();
    }

    private void Validate()
    {
        if (Received is { } received && !SipUri.IsIPv4(received) && !SipUri.IsIPv6(received.Trim('[', ']')))
        {
            throw new SipFormatException("Via received is not an IP address");
        }
        if (Parameters.Contains("rport") && Parameters["rport"] is { } rport && !SipUri.TryReadPort(rport, out _))
        {
            throw new SipFormatException("bad Via rport");
        }
        if (Parameters.Contains("ttl") && !(byte.TryParse(Parameters["ttl"], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new SipFormatException("bad Via ttl");
        }
        if (Parameters.Contains("branch") && !SipScanner.IsToken(Branch))
        {
            throw new SipFormatException("bad Via branch");
        }
    }
}
