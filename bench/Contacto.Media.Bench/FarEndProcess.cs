using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Contacto.Media.Engine;
using Contacto.Media.Sdp;

/// <summary>The child process that runs the phones (<see cref="FarEnd"/>), and its line protocol.</summary>
internal sealed class FarEndProcess : IAsyncDisposable
{
    private readonly Process _process;

    private FarEndProcess(Process process) => _process = process;

    public static FarEndProcess Start(PacingPriority priority)
    {
        // Run as "dotnet Contacto.Media.Bench.dll" or as the apphost (dotnet run).
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }
        start.ArgumentList.Add("--far-end");
        start.ArgumentList.Add("--priority");
        start.ArgumentList.Add(priority.ToString());
        return new FarEndProcess(Process.Start(start)!);
    }

    public int ProcessId => _process.Id;

    public Task SendAsync(string line) => _process.StandardInput.WriteLineAsync(line);

    /// <summary>Has the far end create <paramref name="calls"/> phones and returns their offers (all read before any answer goes, so neither pipe fills).</summary>
    public async Task<List<SessionDescription>> OfferAsync(int calls)
    {
        await SendAsync($"offer {calls}");
        var offers = new List<SessionDescription>();
        while (await ReadAsync() is var line && line != "offered")
        {
            offers.Add(SessionDescription.Parse(Convert.FromBase64String(line.Split(' ')[2])));
        }
        return offers;
    }

    public async Task SendDigitsAsync()
    {
        await SendAsync("digits");
        await ReadAsync();
    }

    /// <summary>Stops the phones; their totals (dropped: packets that came before a phone had Contacto's answer).</summary>
    public async Task<(long Sent, long Received, long Dropped, long Lost)> StopAsync()
    {
        await SendAsync("stop");
        var parts = (await ReadAsync()).Split(' ');
        return (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture));
    }


    private async Task<string> ReadAsync() =>
        await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The far-end process ended.");

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
