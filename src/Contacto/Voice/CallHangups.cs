namespace Contacto.Voice;

/// <summary>Who ended a call, in Plivo's words (<c>hangup_source</c>).</summary>
internal static class HangupSources
{
    public const string Caller = "Caller";
    public const string Callee = "Callee";
    public const string Plivo = "Plivo";
    public const string ApiRequest = "API Request";
    public const string AnswerXml = "Answer XML";
    public const string Error = "Error";
    public const string Unknown = "Unknown";
}

/// <summary>Why a call ended: Plivo's hangup cause code and name, and the state the call ends in.</summary>
internal sealed record HangupCause(int Code, string Name, string State)
{
    public static readonly HangupCause NormalHangup = new(4000, "Normal Hangup", CallStates.Completed);
    public static readonly HangupCause EndOfXml = new(4010, "End Of XML Instructions", CallStates.Completed);
    public static readonly HangupCause TimeLimit = new(4020, "Time Limit Reached", CallStates.Completed);
    public static readonly HangupCause Busy = new(3010, "Busy Line", CallStates.Busy);
    public static readonly HangupCause Rejected = new(3020, "Rejected", CallStates.Failed);
    public static readonly HangupCause NoAnswer = new(3000, "No Answer", CallStates.NoAnswer);
    public static readonly HangupCause RingTimeout = new(3030, "Ring Timeout Reached", CallStates.Timeout);
    public static readonly HangupCause InvalidDestination = new(3040, "Invalid Destination Address", CallStates.Failed);
    public static readonly HangupCause NetworkError = new(3050, "Network Error", CallStates.Failed);
    public static readonly HangupCause NoRoute = new(3060, "No Route Available", CallStates.Failed);
    public static readonly HangupCause Cancelled = new(1000, "Cancelled", CallStates.Cancel);
    public static readonly HangupCause AnswerUrlFailed = new(5000, "Answer URL Unreachable", CallStates.Completed);
    public static readonly HangupCause InvalidXml = new(5010, "Invalid Answer XML", CallStates.Completed);
    public static readonly HangupCause UnsupportedXml = new(5020, "Unsupported Answer XML", CallStates.Completed);
    public static readonly HangupCause RedirectLimit = new(5030, "Too Many Documents", CallStates.Completed);
    public static readonly HangupCause Lost = new(6000, "Lost", CallStates.Failed);
    public static readonly HangupCause MediaFailure = new(6010, "Media Error", CallStates.Failed);
}
