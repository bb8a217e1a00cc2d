using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Contacto.Tests.Console;

/// <summary>
/// A WebAuthn authenticator in software: one ES256 key, "none" attestation, a counter. It answers
/// the options a relying party sends as a browser plus security key would, for <see cref="Origin"/>.
/// </summary>
public sealed class SoftwareAuthenticator(string origin) : IDisposable
{
    readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    readonly byte[] credentialId = RandomNumberGenerator.GetBytes(32);
    uint counter;

    public string Origin { get; } = origin;

    public string CredentialId => Base64Url.EncodeToString(credentialId);

    /// <summary>The answer to <c>navigator.credentials.create</c> for these creation options.</summary>
    public string Create(string optionsJson)
    {
        var options = JsonNode.Parse(optionsJson)!;
        var rpId = options["rp"]!["id"]!.GetValue<string>();
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>());
        var point = key.ExportParameters(false).Q;
        var coseKey = Cbor.Map((Cbor.Int(1), Cbor.Int(2)), (Cbor.Int(3), Cbor.Int(-7)), (Cbor.Int(-1), Cbor.Int(1)),
            (Cbor.Int(-2), Cbor.Bytes(point.X!)), (Cbor.Int(-3), Cbor.Bytes(point.Y!)));
        var idLength = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(idLength, (ushort)credentialId.Length);
        var authData = AuthData(rpId, 0x45, [.. new byte[16], .. idLength, .. credentialId, .. coseKey]); // user present, verified, attested data
        var attestation = Cbor.Map((Cbor.Text("fmt"), Cbor.Text("none")), (Cbor.Text("attStmt"), Cbor.Map()), (Cbor.Text("authData"), Cbor.Bytes(authData)));
        return JsonSerializer.Serialize(new
        {
            id = CredentialId,
            rawId = CredentialId,
            type = "public-key",
            response = new { attestationObject = Base64Url.EncodeToString(attestation), clientDataJSON = Base64Url.EncodeToString(clientData) },
            clientExtensionResults = new { },
        });
    }

    /// <summary>The answer to <c>navigator.credentials.get</c> for these request options.</summary>
    public string Get(string optionsJson)
    {
        var options = JsonNode.Parse(optionsJson)!;
        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>());
        var authData = AuthData(options["rpId"]!.GetValue<string>(), 0x05, []);
        var signature = key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return JsonSerializer.Serialize(new
        {
            id = CredentialId,
            rawId = CredentialId,
            type = "public-key",
            response = new
            {
                authenticatorData = Base64Url.EncodeToString(authData),
                clientDataJSON = Base64Url.EncodeToString(clientData),
                signature = Base64Url.EncodeToString(signature),
            },
            clientExtensionResults = new { },
        });
    }

    byte[] ClientData(string type, string challenge) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type, challenge, origin = Origin, crossOrigin = false }));

    byte[] AuthData(string rpId, byte flags, byte[] attested)
    {
        var count = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(count, ++counter);
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), flags, .. count, .. attested];
    }

    public void Dispose() => key.Dispose();

    /// <summary>Just enough CBOR (RFC 8949) for an attestation object and a COSE key.</summary>
    static class Cbor
    {
        public static byte[] Int(long value) => value >= 0 ? Head(0, (ulong)value) : Head(1, (ulong)(-1 - value));

        public static byte[] Bytes(byte[] value) => [.. Head(2, (ulong)value.Length), .. value];

        public static byte[] Text(string value) => [.. Head(3, (ulong)Encoding.UTF8.GetByteCount(value)), .. Encoding.UTF8.GetBytes(value)];

        public static byte[] Map(params (byte[] Key, byte[] Value)[] entries) =>
            [.. Head(5, (ulong)entries.Length), .. entries.SelectMany(e => e.Key.Concat(e.Value))];

        static byte[] Head(int major, ulong length) => length switch
        {
            < 24 => [(byte)(major << 5 | (int)length)],
            <= byte.MaxValue => [(byte)(major << 5 | 24), (byte)length],
            _ => [(byte)(major << 5 | 25), (byte)(length >> 8), (byte)length],
        };
    }
}
