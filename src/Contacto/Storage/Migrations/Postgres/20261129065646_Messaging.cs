using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Messaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_parts",
                columns: table => new
                {
                    Carrier = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CarrierMessageId = table.Column<string>(type: "character varying(65)", maxLength: 65, nullable: false),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    State = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: true),
                    ErrorCode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_parts", x => new { x.Carrier, x.CarrierMessageId });
                });

            migrationBuilder.CreateTable(
                name: "message_work",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: false),
                    ClaimedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_work", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Direction = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    State = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    Type = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    FromSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    ToSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    TextSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    FromIndex = table.Column<byte[]>(type: "bytea", nullable: true),
                    ToIndex = table.Column<byte[]>(type: "bytea", nullable: true),
                    AlphanumericSender = table.Column<bool>(type: "boolean", nullable: false),
                    DestinationCountry = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Units = table.Column<int>(type: "integer", nullable: false),
                    Log = table.Column<bool>(type: "boolean", nullable: false),
                    CallbackUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    CallbackMethod = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: true),
                    RequesterIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true),
                    ErrorCode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    Carrier = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    SentAt = table.Column<long>(type: "bigint", nullable: true),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "numbers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    NumberSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    NumberIndex = table.Column<byte[]>(type: "bytea", nullable: false),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Alias = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AddedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_numbers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_parts_MessageId",
                table: "message_parts",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_message_work_ClaimedBy",
                table: "message_work",
                column: "ClaimedBy");

            migrationBuilder.CreateIndex(
                name: "IX_message_work_NextAttemptAt",
                table: "message_work",
                column: "NextAttemptAt");

            migrationBuilder.CreateIndex(
                name: "IX_messages_AccountId_CreatedAt",
                table: "messages",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_AccountId_FromIndex",
                table: "messages",
                columns: new[] { "AccountId", "FromIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_AccountId_ToIndex",
                table: "messages",
                columns: new[] { "AccountId", "ToIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_numbers_AccountId_NumberIndex",
                table: "numbers",
                columns: new[] { "AccountId", "NumberIndex" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_parts");

            migrationBuilder.DropTable(
                name: "message_work");

            migrationBuilder.DropTable(
                name: "messages");

            migrationBuilder.DropTable(
                name: "numbers");
        }
    }
}
