using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Contacto.Media.Tests.Support;

/// <summary>
/// baresip (Debian's baresip-core) as the phone at the other end: SIP over UDP on loopback, G.711,
/// a 440 Hz tone from a file as its microphone (its ausine module makes only 48 kHz), calls answered at once, SRTP (SDES) required when
/// asked, the RTCP summary printed at each call's end. Driven by its console on standard input
/// (a digit during a call is an RFC 4733 event; "/dial URI" places a call) and read from its output
/// and its events (ctrl_tcp), the only place it reports the digits it receives.
/// </summary>
internal sealed class Baresip : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("baresip-").FullName;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TcpClient? _events;

    private Baresip(int port, bool srtp)
    {
        Port = port;
        EventPort = FreeTcpPort();
        WriteTone(Path.Combine(_folder, "tone.wav"));
        File.WriteAllText(Path.Combine(_folder, "config"), $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{port}
            audio_source		aufile,{Path.Combine(_folder, "tone.wav")}
            module_path		/usr/lib/baresip/modules
            module			g711.so
            module			aufile.so
            module			srtp.so
            module			stdio.so
            module_app		menu.so
            module_app		rtcpsummary.so
            module_app		ctrl_tcp.so
            ctrl_tcp_listen		127.0.0.1:{EventPort}
            module_tmp		account.so
            """);
        File.WriteAllText(Path.Combine(_folder, "accounts"),
            $"<sip:phone@127.0.0.1:{port}>;regint=0;answermode=auto{(srtp ? ";mediaenc=srtp-mand" : "")}\n");
        var start = new ProcessStartInfo("baresip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(_folder);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>Where baresip's events (JSON: CALL_ESTABLISHED, CALL_DTMF_START, ...) can be read; they join <see cref="Output"/>.</summary>
    public int EventPort { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<Baresip> StartAsync(bool srtp = false)
    {
        Assert.True(File.Exists("/usr/bin/baresip"), "baresip is not installed (scripts/test installs baresip-core)");
        var phone = new Baresip(FreeUdpPort(), srtp);
        await phone.WaitForAsync("baresip is ready");
        phone._events = new TcpClient();
        await phone._events.ConnectAsync(IPAddress.Loopback, phone.EventPort);
        _ = phone.ReadEventsAsync(phone._events.GetStream());
        return phone;
    }

    /// <summary>Types on baresip's console, as a user at its keyboard.</summary>
    public async Task TypeAsync(string keys)
    {
        await _process.StandardInput.WriteAsync(keys);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until the output holds <paramref name="pattern"/> (a regular expression); returns its matches.</summary>
    public async Task<MatchCollection> WaitForAsync(string pattern, int count = 1, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var matches = Regex.Matches(Output, pattern);
            if (matches.Count >= count)
            {
                return matches;
            }
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"baresip did not print '{pattern}' {count} times:\n{Output}");
            }
            await Task.Delay(20);
        }
    }

    private async Task ReadEventsAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer) is var read and > 0)
            {
                Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreeUdpPort() => FreePort(SocketType.Dgram, ProtocolType.Udp);

    private static int FreeTcpPort() => FreePort(SocketType.Stream, ProtocolType.Tcp);

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A minute of 440 Hz as 16-bit 8 kHz mono WAV (baresip hangs up when its source ends).</summary>
    private static void WriteTone(string path)
    {
        var samples = Signal.Tone(440, 60).Samples.Span;
        using var file = new BinaryWriter(File.Create(path));
        file.Write("RIFF"u8);
        file.Write(36 + samples.Length * 2);
        file.Write("WAVEfmt "u8);
        file.Write([16, 0, 0, 0, 1, 0, 1, 0]);                 // format chunk size, PCM, one channel
        file.Write(8000);
        file.Write(16000);
        file.Write([2, 0, 16, 0]);                             // block align, bits per sample
        file.Write("data"u8);
        file.Write(samples.Length * 2);
        foreach (var sample in samples)
        {
            file.Write(sample);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
