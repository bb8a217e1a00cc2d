using System.Runtime.InteropServices;

namespace Contacto.Media.Engine;

/// <summary>How the pacing threads ask to be scheduled (Linux; elsewhere they run as they are).</summary>
public enum PacingPriority
{
    /// <summary>The process's own priority.</summary>
    Normal,

    /// <summary>Nice -10: ahead of the process's other threads and of ordinary work in the same scheduling group.</summary>
    Raised,

    /// <summary>
    /// SCHED_RR at priority 10: ahead of every ordinary thread on the machine, whatever its group
    /// (with autogroups, as on a shared or desktop host, a nice value only counts within the
    /// session). Falls back to <see cref="Raised"/> without the right to it.
    /// </summary>
    RealTime,
}

/// <summary>
/// Raises the scheduling priority of the calling thread on Linux (needs root or CAP_SYS_NICE).
/// .NET's Thread.Priority does nothing there, and a pacing loop that waits behind a busy
/// machine's other work sends its frames late.
/// </summary>
internal static partial class ThreadScheduling
{
    private const int PriorityProcess = 0;
    private const int SchedRoundRobin = 2;
    private const int RealTimePriority = 10;
    private const int RaisedNice = -10;

    /// <summary>Applies <paramref name="priority"/> to the calling thread; returns what it got.</summary>
    public static PacingPriority TryApply(PacingPriority priority)
    {
        if (priority == PacingPriority.Normal || !OperatingSystem.IsLinux())
        {
            return PacingPriority.Normal;
        }
        try
        {
            var thread = GetThreadId();
            var parameter = RealTimePriority;
            if (priority == PacingPriority.RealTime && SetScheduler(thread, SchedRoundRobin, ref parameter) == 0)
            {
                return PacingPriority.RealTime;
            }
            return SetPriority(PriorityProcess, thread, RaisedNice) == 0 ? PacingPriority.Raised : PacingPriority.Normal;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return PacingPriority.Normal;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int parameter);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
