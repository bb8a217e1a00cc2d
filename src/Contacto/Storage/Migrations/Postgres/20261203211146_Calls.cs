using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    internal partial class Calls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "calls",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    Direction = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    State = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    FromSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    ToSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    FromIndex = table.Column<byte[]>(type: "bytea", nullable: true),
                    ToIndex = table.Column<byte[]>(type: "bytea", nullable: true),
                    CallerNameSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    DestinationCountry = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    AnswerUrlSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    AnswerMethod = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false),
                    FallbackUrlSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    FallbackMethod = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false),
                    HangupUrlSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    HangupMethod = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false),
                    RingUrlSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    RingMethod = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false),
                    RingTimeoutSeconds = table.Column<int>(type: "integer", nullable: false),
                    TimeLimitSeconds = table.Column<int>(type: "integer", nullable: false),
                    RequesterIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true),
                    Carrier = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    AnsweredAt = table.Column<long>(type: "bigint", nullable: true),
                    EndedAt = table.Column<long>(type: "bigint", nullable: true),
                    HangupCauseCode = table.Column<int>(type: "integer", nullable: true),
                    HangupCauseName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    HangupSource = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "bigint", nullable: true),
                    JitterMilliseconds = table.Column<double>(type: "double precision", nullable: true),
                    PacketLossFraction = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_calls", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_calls_AccountId_CreatedAt",
                table: "calls",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_calls_AccountId_RequestId",
                table: "calls",
                columns: new[] { "AccountId", "RequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_calls_AccountId_State",
                table: "calls",
                columns: new[] { "AccountId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_calls_NextAttemptAt",
                table: "calls",
                column: "NextAttemptAt",
                filter: "\"NextAttemptAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "calls");
        }
    }
}
