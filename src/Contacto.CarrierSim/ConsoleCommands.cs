namespace Contacto.CarrierSim;

/// <summary>The standalone simulators' command loop: one command a line on standard input until quit, end of input or Ctrl+C.</summary>
internal static class ConsoleCommands
{
    /// <param name="handle">Runs one command line (never quit or exit, which end the loop).</param>
    public static async Task RunAsync(Func<string, Task> handle, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await Console.In.ReadLineAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (line is null)
            {
                // No console: run until Ctrl+C.
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
            if (line.Trim() is "quit" or "exit")
            {
                return;
            }
            await handle(line);
        }
    }
}
