using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using Contacto.Status.Incidents;

namespace Contacto.Status;

/// <summary><c>/history.atom</c> and <c>/history.rss</c>: the incident history as one feed, in two formats.</summary>
internal static class StatusFeeds
{
    public static byte[] Atom(StatusSnapshot s, string baseUrl) => Write(new Atom10FeedFormatter(Feed(s, baseUrl)));

    public static byte[] Rss(StatusSnapshot s, string baseUrl) => Write(new Rss20FeedFormatter(Feed(s, baseUrl), serializeExtensionsAsAtom: false));

    static SyndicationFeed Feed(StatusSnapshot s, string baseUrl)
    {
        var feed = new SyndicationFeed($"{s.Options.PageName} status - incident history", $"Incidents reported on the {s.Options.PageName} status page",
            new Uri($"{baseUrl}/status"), $"{baseUrl}/history", s.UpdatedAt)
        {
            Items = s.Incidents.Select(i => Item(i, baseUrl)).ToList(),
        };
        return feed;
    }

    static SyndicationItem Item(Incident i, string baseUrl)
    {
        // RSS has one text per item, so the summary carries everything: status, impact, updates.
        var text = new StringBuilder($"{WireNames.Label(i.Status)}, impact {WireNames.Of(i.Impact)}\n");
        foreach (var update in i.Updates)
            text.Append($"{StatuspageJson.Instant(update.DisplayAt)} {WireNames.Label(update.Status)}: {update.Body}\n");
        if (i.PostmortemBody is { } postmortem)
            text.Append($"Postmortem: {postmortem}\n");
        var link = new Uri(StatuspageJson.Shortlink(baseUrl, i));
        return new SyndicationItem
        {
            Id = $"{baseUrl}/incidents/{i.Id}",
            Title = new TextSyndicationContent(i.Name),
            Links = { SyndicationLink.CreateAlternateLink(link) },
            LastUpdatedTime = i.UpdatedAt,
            PublishDate = i.CreatedAt,
            Summary = new TextSyndicationContent(text.ToString()),
        };
    }

    static byte[] Write(SyndicationFeedFormatter formatter)
    {
        using var output = new MemoryStream();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
            formatter.WriteTo(writer);
        return output.ToArray();
    }
}
