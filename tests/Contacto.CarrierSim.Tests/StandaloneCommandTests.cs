using System.Diagnostics;
using System.Text.RegularExpressions;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Tests.Support;

namespace Contacto.CarrierSim.Tests;

/// <summary>The simulator as an operator runs it: a process with knobs on the command line and commands on stdin.</summary>
public sealed class StandaloneCommandTests
{
    [Fact]
    public async Task RunsAsACommandAndTakesCommandsOnStandardInput()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "Contacto.CarrierSim.dll"),
                     "--port", "0", "--credential", $"{Sim.SystemId}={Sim.Password}", "--receipt-mix", "UNDELIV=1",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        try
        {
            var listening = await process.StandardOutput.ReadLineAsync().WaitAsync(Loopback.Patience);
            var port = int.Parse(Regex.Match(listening!, @"listening on 127\.0\.0\.1:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var inbox = new Sim.Inbox(expected: 2);
            await using var bind = new SmppBind(new SmppBindOptions
            {
                Name = "cli", Host = "127.0.0.1", Port = port, SystemId = Sim.SystemId, Password = Sim.Password,
            }, inbox.Handle);
            bind.Start();
            await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

            var result = await bind.SubmitAsync(new SubmitSm { RegisteredDelivery = 1 });
            await process.StandardInput.WriteLineAsync("mo 15550002222 15550001111 hello there");
            var moReport = await process.StandardOutput.ReadLineAsync().WaitAsync(Loopback.Patience);
            await inbox.Complete;
            await bind.StopAsync();
            await process.StandardInput.WriteLineAsync("quit");
            var statistics = await process.StandardOutput.ReadLineAsync().WaitAsync(Loopback.Patience);
            await process.WaitForExitAsync().WaitAsync(Loopback.Patience);

            Assert.True(result.IsAccepted);
            Assert.Equal("mo delivered: Ok", moReport);
            Assert.Equal(MessageState.Undeliverable, inbox.Messages.Single(m => m.IsReceipt).Receipt!.State);
            Assert.Equal("hello there", inbox.Messages.Single(m => !m.IsReceipt).Content!.Value.Text);
            Assert.Contains("submits 1", statistics);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
