using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Direction = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    FromSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ToSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    FromIndex = table.Column<byte[]>(type: "BLOB", nullable: true),
                    ToIndex = table.Column<byte[]>(type: "BLOB", nullable: true),
                    CallerNameSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    DestinationCountry = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    AnswerUrlSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    AnswerMethod = table.Column<string>(type: "TEXT", maxLength: 4, nullable: false),
                    FallbackUrlSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    FallbackMethod = table.Column<string>(type: "TEXT", maxLength: 4, nullable: false),
                    HangupUrlSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    HangupMethod = table.Column<string>(type: "TEXT", maxLength: 4, nullable: false),
                    RingUrlSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    RingMethod = table.Column<string>(type: "TEXT", maxLength: 4, nullable: false),
                    RingTimeoutSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    TimeLimitSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    RequesterIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true),
                    Carrier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    HangupCauseCode = table.Column<int>(type: "INTEGER", nullable: true),
                    HangupCauseName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    HangupSource = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    JitterMilliseconds = table.Column<double>(type: "REAL", nullable: true),
                    PacketLossFraction = table.Column<double>(type: "REAL", nullable: true)
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
