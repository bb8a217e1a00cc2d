namespace Contacto.CarrierSim.Sip;

/// <summary>Counters of what the simulated trunk did, safe to read while it runs.</summary>
public sealed class SipTrunkStatistics
{
    private long _invites;
    private long _challenged;
    private long _answered;
    private long _rejected;
    private long _cancelled;
    private long _options;
    private long _endedByCaller;
    private long _hungUp;
    private long _callsPlaced;
    private long _dropped;

    /// <summary>INVITEs outside a dialog that reached the call logic (challenges answered included).</summary>
    public long Invites => Interlocked.Read(ref _invites);

    public long Challenged => Interlocked.Read(ref _challenged);

    public long Answered => Interlocked.Read(ref _answered);

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Calls the caller cancelled before an answer.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    public long OptionsReceived => Interlocked.Read(ref _options);

    /// <summary>Answered calls the other side ended with BYE.</summary>
    public long EndedByCaller => Interlocked.Read(ref _endedByCaller);

    /// <summary>Answered calls the simulator ended (<see cref="SipTrunkSimulatorOptions.HangUpAfter"/>).</summary>
    public long HungUp => Interlocked.Read(ref _hungUp);

    public long CallsPlaced => Interlocked.Read(ref _callsPlaced);

    /// <summary>Messages dropped unanswered while silent.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Invite() => Interlocked.Increment(ref _invites);

    internal void Challenge() => Interlocked.Increment(ref _challenged);

    internal void Answer() => Interlocked.Increment(ref _answered);

    internal void Reject() => Interlocked.Increment(ref _rejected);

    internal void Cancel() => Interlocked.Increment(ref _cancelled);

    internal void Options() => Interlocked.Increment(ref _options);

    internal void EndByCaller() => Interlocked.Increment(ref _endedByCaller);

    internal void HangUp() => Interlocked.Increment(ref _hungUp);

    internal void PlaceCall() => Interlocked.Increment(ref _callsPlaced);

    internal void Drop() => Interlocked.Increment(ref _dropped);

    public override string ToString() =>
        $"invites {Invites}, challenged {Challenged}, answered {Answered}, rejected {Rejected}, cancelled {Cancelled}, "
        + $"ended by caller {EndedByCaller}, hung up {HungUp}, options {OptionsReceived}, placed {CallsPlaced}, dropped {Dropped}";
}
