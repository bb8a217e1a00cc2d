namespace Contacto.Sip.Tests.Support;

/// <summary>The torture messages of RFC 4475 and RFC 5118, byte for byte, from the test output folder.</summary>
internal static class Torture
{
    public static byte[] Rfc4475(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Messages", "Torture", "rfc4475", name + ".dat"));

    public static byte[] Rfc5118(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Messages", "Torture", "rfc5118", name + ".dat"));
}
