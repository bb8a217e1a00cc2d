namespace Contacto.Media.Sdp;

/// <summary>A stream's direction, from the side that wrote the SDP (RFC 3264 section 5.1).</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

public static class MediaDirections
{
    public static bool Sends(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.SendOnly;

    public static bool Receives(this MediaDirection direction) => direction is MediaDirection.SendRecv or MediaDirection.RecvOnly;

    public static MediaDirection From(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => MediaDirection.SendRecv,
        (true, false) => MediaDirection.SendOnly,
        (false, true) => MediaDirection.RecvOnly,
        _ => MediaDirection.Inactive,
    };

    /// <summary>What the other side's SDP says, seen from this side: sendonly there is recvonly here.</summary>
    public static MediaDirection Reverse(this MediaDirection direction) => From(direction.Receives(), direction.Sends());

    public static string SdpName(this MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>The direction a media section declares (its own attribute, else the session's, else sendrecv).</summary>
    public static MediaDirection Of(SessionDescription sdp, MediaDescription media)
    {
        foreach (var attributes in new[] { media.Attributes, sdp.Attributes })
        {
            foreach (var attribute in attributes)
            {
                switch (attribute.Name.ToLowerInvariant())
                {
                    case "sendrecv": return MediaDirection.SendRecv;
                    case "sendonly": return MediaDirection.SendOnly;
                    case "recvonly": return MediaDirection.RecvOnly;
                    case "inactive": return MediaDirection.Inactive;
                }
            }
        }
        return MediaDirection.SendRecv;
    }
}
