using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Contacto.Testing;

/// <summary>
/// baresip (Debian's) as a remote phone: SIP over TLS on <see cref="TlsPort"/> (its certificate
/// from the test's CA; <c>sip_cafile</c> names Contacto's, though baresip 1.0 connects whatever
/// certificate it is shown), G.711, a 440 Hz tone from a
/// file as its microphone, calls answered at once, driven over its ctrl_tcp JSON interface
/// (netstrings): <see cref="SendAsync"/> runs a command, <see cref="NextEventAsync"/> reads its events.
/// </summary>
public sealed class Baresip : IAsyncDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("baresip-").FullName;
    readonly Process process;
    readonly Task<string> output;
    readonly Channel<JsonElement> events = Channel.CreateUnbounded<JsonElement>();
    TcpClient? control;
    Task reading = Task.CompletedTask;

    Baresip(int sipPort, int controlPort, string certificateAndKeyPem, string trustedCaFile)
    {
        (SipPort, ControlPort) = (sipPort, controlPort);
        var certificate = Path.Combine(folder, "certificate.pem");
        File.WriteAllText(certificate, certificateAndKeyPem);
        File.SetUnixFileMode(certificate, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteTone(Path.Combine(folder, "tone.wav"), TimeSpan.FromSeconds(60));
        File.WriteAllText(Path.Combine(folder, "config"), $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{sipPort}
            sip_certificate		{certificate}
            sip_cafile		{trustedCaFile}
            audio_source		aufile,{Path.Combine(folder, "tone.wav")}
            module_path		/usr/lib/baresip/modules
            module			g711.so
            module			aufile.so
            module_app		menu.so
            module_app		ctrl_tcp.so
            module_tmp		account.so
            ctrl_tcp_listen		127.0.0.1:{controlPort}
            """);
        File.WriteAllText(Path.Combine(folder, "accounts"), $"<sip:phone@127.0.0.1:{sipPort};transport=tls>;regint=0;answermode=auto\n");
        var start = new ProcessStartInfo("baresip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(folder);
        process = Process.Start(start)!;
        output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()).ContinueWith(t => string.Concat(t.Result), TaskScheduler.Default);
    }

    /// <summary>UDP and TCP listen here; TLS on the next port, as baresip does it.</summary>
    public int SipPort { get; }

    public int TlsPort => SipPort + 1;

    public int ControlPort { get; }

    /// <summary>What baresip printed, once it has exited.</summary>
    public string Output => process.HasExited ? output.Result : "(still running)";

    public static async Task<Baresip> StartAsync(int sipPort, int controlPort, string certificateAndKeyPem, string trustedCaFile)
    {
        var phone = new Baresip(sipPort, controlPort, certificateAndKeyPem, trustedCaFile);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (phone.control is null)
        {
            try
            {
                var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", controlPort);
                phone.control = client;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !phone.process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException e)
            {
                var output = phone.process.HasExited ? await phone.output : "(still running)";
                await phone.DisposeAsync();
                throw new InvalidOperationException($"baresip is not listening for commands: {output}", e);
            }
        }
        phone.reading = Task.Run(phone.ReadEventsAsync);
        return phone;
    }

    /// <summary>Runs a command (dial URI, hangup, ...); its response is read among the events.</summary>
    public async Task SendAsync(string command, string parameters = "")
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new { command, @params = parameters, token = command });
        var stream = control!.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{json.Length}:"));
        await stream.WriteAsync(json);
        await stream.WriteAsync(","u8.ToArray());
    }

    /// <summary>The next event of the given type (CALL_ESTABLISHED, CALL_CLOSED, ...), skipping others.</summary>
    public async Task<JsonElement> NextEventAsync(string type, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        while (true)
        {
            JsonElement next;
            try
            {
                next = await events.Reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"baresip sent no {type} event within {within}");
            }
            if (next.TryGetProperty("type", out var kind) && kind.GetString() == type)
                return next;
        }
    }

    async Task ReadEventsAsync()
    {
        var reader = new StreamReader(control!.GetStream(), Encoding.UTF8);
        var length = new StringBuilder();
        try
        {
            while (true)
            {
                var c = reader.Read();
                if (c < 0)
                    return;
                if (c != ':')
                {
                    length.Append((char)c);
                    continue;
                }
                var body = new char[int.Parse(length.ToString())];
                length.Clear();
                for (var read = 0; read < body.Length;)
                    read += reader.Read(body, read, body.Length - read);
                reader.Read(); // the netstring's trailing comma
                events.Writer.TryWrite(JsonDocument.Parse(new string(body)).RootElement.Clone());
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A 16-bit 8 kHz mono WAV file of a 440 Hz tone (baresip hangs up when its source ends, so it is long).</summary>
    static void WriteTone(string path, TimeSpan length)
    {
        var samples = (int)(8000 * length.TotalSeconds);
        using var file = new BinaryWriter(File.Create(path));
        file.Write("RIFF"u8);
        file.Write(36 + samples * 2);
        file.Write("WAVEfmt "u8);
        file.Write(16);
        file.Write((short)1);
        file.Write((short)1);
        file.Write(8000);
        file.Write(16000);
        file.Write((short)2);
        file.Write((short)16);
        file.Write("data"u8);
        file.Write(samples * 2);
        for (var i = 0; i < samples; i++)
            file.Write((short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 8000)));
    }

    public async ValueTask DisposeAsync()
    {
        control?.Dispose();
        await reading;
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
