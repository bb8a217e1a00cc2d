namespace Contacto.Smpp.Protocol;

/// <summary>
/// SMPP command_status values (section 5.1.3). Carriers send values outside this list too;
/// the enum keeps them as numbers.
/// </summary>
public enum CommandStatus : uint
{
    Ok = 0x00,                          // ESME_ROK
    InvalidMessageLength = 0x01,        // ESME_RINVMSGLEN
    InvalidCommandLength = 0x02,        // ESME_RINVCMDLEN
    InvalidCommandId = 0x03,            // ESME_RINVCMDID
    IncorrectBindStatus = 0x04,         // ESME_RINVBNDSTS
    AlreadyBound = 0x05,                // ESME_RALYBND
    InvalidPriorityFlag = 0x06,         // ESME_RINVPRTFLG
    InvalidRegisteredDelivery = 0x07,   // ESME_RINVREGDLVFLG
    SystemError = 0x08,                 // ESME_RSYSERR
    InvalidSourceAddress = 0x0A,        // ESME_RINVSRCADR
    InvalidDestinationAddress = 0x0B,   // ESME_RINVDSTADR
    InvalidMessageId = 0x0C,            // ESME_RINVMSGID
    BindFailed = 0x0D,                  // ESME_RBINDFAIL
    InvalidPassword = 0x0E,             // ESME_RINVPASWD
    InvalidSystemId = 0x0F,             // ESME_RINVSYSID
    MessageQueueFull = 0x14,            // ESME_RMSGQFUL
    InvalidServiceType = 0x15,          // ESME_RINVSERTYP
    InvalidEsmClass = 0x43,             // ESME_RINVESMCLASS
    SubmitFailed = 0x45,                // ESME_RSUBMITFAIL
    Throttled = 0x58,                   // ESME_RTHROTTLED
    InvalidScheduledDeliveryTime = 0x61,// ESME_RINVSCHED
    InvalidValidityPeriod = 0x62,       // ESME_RINVEXPIRY
    TemporaryAppError = 0x64,           // ESME_RX_T_APPN
    PermanentAppError = 0x65,           // ESME_RX_P_APPN
    RejectedAppError = 0x66,            // ESME_RX_R_APPN
    QueryFailed = 0x67,                 // ESME_RQUERYFAIL
    InvalidOptionalParameterStream = 0xC0, // ESME_RINVOPTPARSTREAM
    OptionalParameterNotAllowed = 0xC1, // ESME_ROPTPARNOTALLWD
    InvalidParameterLength = 0xC2,      // ESME_RINVPARLEN
    MissingOptionalParameter = 0xC3,    // ESME_RMISSINGOPTPARAM
    InvalidOptionalParameterValue = 0xC4, // ESME_RINVOPTPARAMVAL
    DeliveryFailure = 0xFE,             // ESME_RDELIVERYFAILURE
    UnknownError = 0xFF,                // ESME_RUNKNOWNERR
    InvalidDataCoding = 0x104,          // ESME_RINVDCS (SMPP 5.0, common in 3.4 carriers)
}

public static class CommandStatusExtensions
{
    /// <summary>The SMSC is overloaded: slow down and retry the same message later.</summary>
    public static bool IsThrottling(this CommandStatus status) =>
        status is CommandStatus.Throttled or CommandStatus.MessageQueueFull;

    /// <summary>A bind answered with this will fail again the same way: back off hard.</summary>
    public static bool IsBindRefusal(this CommandStatus status) =>
        status is CommandStatus.AlreadyBound or CommandStatus.BindFailed
            or CommandStatus.InvalidPassword or CommandStatus.InvalidSystemId;
}
