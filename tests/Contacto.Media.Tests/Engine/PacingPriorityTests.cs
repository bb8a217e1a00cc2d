using System.Net;
using Contacto.Media.Engine;

namespace Contacto.Media.Tests.Engine;

public sealed class PacingPriorityTests
{
    [Theory]
    [InlineData(PacingPriority.RealTime)]
    [InlineData(PacingPriority.Raised)]
    [InlineData(PacingPriority.Normal)]
    public async Task PacingThreadsGetTheSchedulingAskedForWhereAllowedAndTheKernelSaysSo(PacingPriority asked)
    {
        await using var engine = new MediaEngine(new MediaEngineOptions { BindAddress = IPAddress.Loopback, PacingLoops = 2, PacingPriority = asked });

        // Raising a priority needs root (or CAP_SYS_NICE); without it the loops run as the process does.
        var expected = Environment.IsPrivilegedProcess || asked == PacingPriority.Normal ? asked : PacingPriority.Normal;
        Assert.Equal([expected, expected], engine.PacingLoopPriorities);
        if (OperatingSystem.IsLinux() && expected != PacingPriority.Normal)
        {
            // Field 19 of /proc/.../stat is the nice value, 41 the policy (2: SCHED_RR).
            var threads = Directory.GetDirectories("/proc/self/task")
                .Where(task => File.ReadAllText(Path.Combine(task, "comm")).StartsWith("media-pacing", StringComparison.Ordinal))
                .Select(task => File.ReadAllText(Path.Combine(task, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(fields => (Nice: int.Parse(fields[16]), Policy: int.Parse(fields[38])))
                .ToList();
            Assert.Contains(expected == PacingPriority.RealTime ? (0, 2) : (-10, 0), threads);
        }
    }
}
