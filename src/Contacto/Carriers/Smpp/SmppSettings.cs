namespace Contacto.Carriers.Smpp;

/// <summary>Section <c>Carriers:List:N:Smpp</c>: how to bind to an SMPP carrier and how it wants text.</summary>
public sealed class SmppSettings
{
    public string SystemId { get; set; } = "";
    public string Password { get; set; } = "";
    public int Binds { get; set; } = 1;
    public int Window { get; set; } = 64;

    /// <summary>Submits per second per bind; 0 for no limit.</summary>
    public double TransactionsPerSecond { get; set; }

    /// <summary>What data_coding 0 means to this carrier: Gsm7 (default), Latin1 or Ascii.</summary>
    public string DefaultAlphabet { get; set; } = "Gsm7";

    /// <summary>How long texts are joined: Udh8 (default), Udh16 or Sar.</summary>
    public string Concatenation { get; set; } = "Udh8";

    /// <summary>A submit not answered within this fails over to another carrier.</summary>
    public int ResponseTimeoutMilliseconds { get; set; } = 1000;
}
