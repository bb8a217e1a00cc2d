using System.Buffers.Binary;
using System.Net.Sockets;

namespace Contacto.Testing;

/// <summary>
/// Speaks just enough raw TLS to offer a server a given protocol version and cipher suites, so a
/// test can prove what the server refuses regardless of what the local TLS library would send.
/// </summary>
public static class TlsProbe
{
    public enum Answer
    {
        ServerHello,
        Alert,
        Closed,
        Other,
    }

    public const ushort Tls11 = 0x0302;
    public const ushort Tls12 = 0x0303;

    public static async Task<Answer> OfferAsync(int port, ushort version, params ushort[] cipherSuites)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(ClientHello(version, cipherSuites));
        var header = new byte[6];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var read = 0;
        while (read < header.Length)
        {
            var n = await stream.ReadAsync(header.AsMemory(read), timeout.Token);
            if (n == 0)
                break;
            read += n;
        }
        if (read == 0)
            return Answer.Closed;
        return header[0] switch
        {
            0x15 => Answer.Alert,
            0x16 when read >= 6 && header[5] == 0x02 => Answer.ServerHello,
            _ => Answer.Other,
        };
    }

    static byte[] ClientHello(ushort version, ushort[] cipherSuites)
    {
        var extensions = new List<byte>();
        // supported_groups: secp256r1, x25519
        AddExtension(extensions, 0x000a, [0x00, 0x04, 0x00, 0x17, 0x00, 0x1d]);
        // ec_point_formats: uncompressed
        AddExtension(extensions, 0x000b, [0x01, 0x00]);
        // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_sha1, rsa_pkcs1_sha1
        AddExtension(extensions, 0x000d, [0x00, 0x0a, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x02, 0x03, 0x02, 0x01]);

        var body = new List<byte>();
        body.AddRange(U16(version));
        body.AddRange(new byte[32]); // random: its value does not matter for a probe
        body.Add(0); // no session id
        body.AddRange(U16((ushort)(cipherSuites.Length * 2)));
        foreach (var suite in cipherSuites)
            body.AddRange(U16(suite));
        body.AddRange([0x01, 0x00]); // null compression only
        body.AddRange(U16((ushort)extensions.Count));
        body.AddRange(extensions);

        var handshake = new List<byte> { 0x01, 0x00 };
        handshake.AddRange(U16((ushort)body.Count));
        handshake.AddRange(body);

        var record = new List<byte> { 0x16, 0x03, 0x01 };
        record.AddRange(U16((ushort)handshake.Count));
        record.AddRange(handshake);
        return [.. record];
    }

    static void AddExtension(List<byte> extensions, ushort type, byte[] data)
    {
        extensions.AddRange(U16(type));
        extensions.AddRange(U16((ushort)data.Length));
        extensions.AddRange(data);
    }

    static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
