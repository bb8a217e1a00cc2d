using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Contacto.Testing;

/// <summary>
/// A private PostgreSQL server for the whole test run, started from the system's binaries
/// (initdb in a temporary folder, a free loopback port) and stopped when the run ends. As root,
/// PostgreSQL refuses to run, so it runs as the postgres user.
/// </summary>
public sealed class PostgresServer
{
    static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    readonly string binDirectory;
    readonly string dataDirectory;

    PostgresServer(string binDirectory, string baseDirectory, int port)
    {
        this.binDirectory = binDirectory;
        BaseDirectory = baseDirectory;
        dataDirectory = Path.Combine(baseDirectory, "data");
        Port = port;
    }

    public string BaseDirectory { get; }
    public int Port { get; }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>
    /// Set before the first <see cref="GetAsync"/> by a benchmark of durable writes: the server then
    /// flushes as a production one does. Tests leave it off and skip flushing.
    /// </summary>
    public static bool Durable { get; set; }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Pooling = true }.ToString();

    /// <summary>A new empty database, so tests never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries();
        var baseDirectory = Path.Combine(Path.GetTempPath(), "contacto-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(baseDirectory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
            await RunAsync("chown", ["postgres:postgres", baseDirectory], asPostgres: false);
        var server = new PostgresServer(bin, baseDirectory, FreePort());
        await server.RunToolAsync("initdb", ["-D", server.dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"], asRoot);
        if (!Durable)
            await File.AppendAllLinesAsync(Path.Combine(server.dataDirectory, "postgresql.conf"), ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        await server.RunToolAsync("pg_ctl", ["-D", server.dataDirectory, "-l", Path.Combine(baseDirectory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {server.Port} -k {baseDirectory} -c listen_addresses=127.0.0.1 -c max_connections=600",
            "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(asRoot);
        return server;
    }

    void Stop(bool asRoot)
    {
        try
        {
            RunToolAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "stop"], asRoot).Wait(TimeSpan.FromSeconds(20));
            Directory.Delete(BaseDirectory, recursive: true);
        }
        catch (Exception)
        {
            // Best effort at exit: a leftover temp folder is harmless.
        }
    }

    Task RunToolAsync(string tool, string[] arguments, bool asRoot) =>
        RunAsync(Path.Combine(binDirectory, tool), arguments, asRoot);

    static async Task RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres)
            foreach (var a in new[] { "-u", "postgres", "--", program })
                start.ArgumentList.Add(a);
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }

    static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found under /usr/lib/postgresql; run scripts/test, which installs them");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
