using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MessageQueueOnMessage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "NextAttemptAt",
                table: "messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.Sql(MessageQueueMove.OntoMessages);

            migrationBuilder.CreateIndex(
                name: "IX_messages_NextAttemptAt",
                table: "messages",
                column: "NextAttemptAt",
                filter: "\"NextAttemptAt\" IS NOT NULL");

            migrationBuilder.DropTable(
                name: "message_work");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_work",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    ClaimedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_work", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_work_ClaimedBy",
                table: "message_work",
                column: "ClaimedBy");

            migrationBuilder.CreateIndex(
                name: "IX_message_work_NextAttemptAt",
                table: "message_work",
                column: "NextAttemptAt");

            migrationBuilder.Sql(MessageQueueMove.BackToWorkItems);

            migrationBuilder.DropIndex(
                name: "IX_messages_NextAttemptAt",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "NextAttemptAt",
                table: "messages");
        }
    }
}
