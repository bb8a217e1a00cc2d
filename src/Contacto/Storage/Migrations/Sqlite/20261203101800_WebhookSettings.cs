using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    internal partial class WebhookSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_webhook_deliveries_AccountId_OrderingKey_State",
                table: "webhook_deliveries");

            migrationBuilder.CreateTable(
                name: "webhook_settings",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MaxConcurrentPerHost = table.Column<int>(type: "INTEGER", nullable: false),
                    ModifiedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_settings", x => x.AccountId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_AccountId_OrderingKey_State_CreatedAt",
                table: "webhook_deliveries",
                columns: new[] { "AccountId", "OrderingKey", "State", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhook_settings");

            migrationBuilder.DropIndex(
                name: "IX_webhook_deliveries_AccountId_OrderingKey_State_CreatedAt",
                table: "webhook_deliveries");

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_AccountId_OrderingKey_State",
                table: "webhook_deliveries",
                columns: new[] { "AccountId", "OrderingKey", "State" });
        }
    }
}
