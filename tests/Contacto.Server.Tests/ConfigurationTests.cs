using Contacto.Server;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Server.Tests;

/// <summary>Invalid configuration stops the server with exit code 2 and a message naming the key.</summary>
public sealed class ConfigurationTests
{
    public static TheoryData<string[], string> InvalidConfigurations => new()
    {
        { ["--storage", "mysql"], "Storage:Provider" },
        { ["--storage", "PostgreSql"], "Storage:ConnectionString" },
        { ["--Storage:CommandTimeoutSeconds", "abc"], "Storage:CommandTimeoutSeconds" },
        { ["--Storage:CommandTimeoutSeconds", "0"], "Storage:CommandTimeoutSeconds" },
        { ["--Storage:SqliteCheckpointPages", "10"], "Storage:SqliteCheckpointPages" },
        { ["--Storage:Colour", "blue"], "Storage:Colour" },
        { ["--public-url", "http://127.0.0.1:0"], "Listen:Public" },
        { ["--public-url", "https://example.com:5001"], "Listen:Public" },
        { ["--ops-url", "https://0.0.0.0:5002"], "Listen:Ops" },
        { ["--public-url", "https://127.0.0.1:7001", "--ops-url", "https://127.0.0.1:7001"], "Listen:Ops" },
        { ["--Listen:DrainSeconds", "-1"], "Listen:DrainSeconds" },
        { ["--Listen:MaxConnectionsPerSource", "0"], "Listen:MaxConnectionsPerSource" },
        { ["--Listen:KnownProxies:0", "proxy.example.com"], "Listen:KnownProxies" },
        { ["--Listen:KnownNetworks:0", "10.0.0.0/33"], "Listen:KnownNetworks" },
        { ["--Sip:Listen:Udp", "localhost:5060"], "Sip:Listen:Udp" },
        { ["--Sip:Listen:Tcp", "127.0.0.1:5999", "--Sip:Listen:Tls", "0.0.0.0:5999"], "Sip:Listen:Tls" },
        { ["--Sip:Edge:Burst", "0"], "Sip:Edge" },
        { ["--Carriers:List:0:Name", "t", "--Carriers:List:0:Protocol", "sip", "--Carriers:List:0:Host", "trunk.example", "--Carriers:List:0:Sip:KeepAliveMilliseconds", "5000"], "Carriers:List:0:Sip" },
        { ["--Carriers:List:0:Name", "t", "--Carriers:List:0:Protocol", "sip", "--Carriers:List:0:Host", "trunk.example", "--Carriers:List:0:Products:0", "sms"], "Carriers:List:0:Products" },
        { ["--Carriers:List:0:Name", "t", "--Carriers:List:0:Protocol", "sip", "--Carriers:List:0:Host", "trunk.example", "--Carriers:List:0:Sip:Inbound:Networks:0", "10.0.0.0/33"], "Carriers:List:0:Sip:Inbound:Networks" },
        { ["--Tls:CertificatePath", "/nonexistent/cert.pem", "--Tls:KeyPath", "/nonexistent/key.pem"], "Tls:CertificatePath" },
        { ["--Tls:CertificatePath", "/etc/hostname"], "Tls:KeyPath" },
        { ["--Tls:RenewBeforeDays", "400"], "Tls:RenewBeforeDays" },
        { ["--Tls:HostNames:0", "not a host"], "Tls:HostNames" },
        { ["--storage", "PostgreSql", "--Storage:ConnectionString", "Host=db.example.com;Username=contacto;Password=hunter2;SSL Mode=Disable"], "Storage:AllowUnencryptedPostgres" },
        { ["--storage", "PostgreSql", "--Storage:ConnectionString", "Host=127.0.0.1,10.0.0.9:5433;Password=hunter2;SslMode=Prefer"], "Storage:AllowUnencryptedPostgres" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigurations))]
    public async Task Invalid_configuration_exits_non_zero_naming_the_key(string[] arguments, string key)
    {
        using var data = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = ["--data-dir", data.Combine("data"), "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0", .. arguments];

        var exitCode = await ContactoServer.RunAsync(args, output, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("configuration error", error.ToString());
        Assert.Contains(key, error.ToString());
        Assert.DoesNotContain("hunter2", error.ToString());
        Assert.DoesNotContain("Contacto is running", output.ToString());
    }

    [Fact]
    public async Task A_data_directory_open_to_others_is_refused()
    {
        using var data = new TempDirectory();
        var path = data.Combine("data");
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var error = new StringWriter();

        var exitCode = await ContactoServer.RunAsync(["--data-dir", path, "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0"], TextWriter.Null, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("DataDir", error.ToString());
        Assert.Contains("chmod 700", error.ToString());
    }

    [Fact]
    public async Task The_data_directory_is_created_owner_only_with_owner_only_keys()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using (await RunningServer.StartAsync(storage))
        {
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(storage.DataDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(storage.DataDir, "tls")));
        foreach (var key in new[] { "ca.key", "server.key" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(storage.DataDir, "tls", key)));
    }
}
