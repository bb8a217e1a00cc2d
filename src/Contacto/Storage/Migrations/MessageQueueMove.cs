namespace Contacto.Storage.Migrations;

/// <summary>
/// The data half of migration MessageQueueOnMessage, the same SQL on both providers: waiting
/// messages move from the <c>message_work</c> table onto their own rows and back. A claimed item
/// is due when its claim lapses, as it was before the move.
/// </summary>
static class MessageQueueMove
{
    public const string OntoMessages = """
        UPDATE "messages" SET
            "NextAttemptAt" = (SELECT CASE WHEN w."ClaimedUntil" > w."NextAttemptAt" THEN w."ClaimedUntil" ELSE w."NextAttemptAt" END
                               FROM "message_work" AS w WHERE w."Id" = "messages"."Id"),
            "Attempts" = (SELECT w."Attempts" FROM "message_work" AS w WHERE w."Id" = "messages"."Id")
        WHERE "Id" IN (SELECT "Id" FROM "message_work")
        """;

    public const string BackToWorkItems = """
        INSERT INTO "message_work" ("Id", "AccountId", "Country", "Attempts", "NextAttemptAt")
        SELECT "Id", "AccountId", "DestinationCountry", "Attempts", "NextAttemptAt" FROM "messages" WHERE "NextAttemptAt" IS NOT NULL
        """;
}
