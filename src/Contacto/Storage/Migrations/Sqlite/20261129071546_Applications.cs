using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Applications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "applications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppId = table.Column<string>(type: "TEXT", maxLength: 17, nullable: false),
                    AppName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SubaccountId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AnswerUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    AnswerMethod = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    HangupUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    HangupMethod = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    FallbackAnswerUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    FallbackMethod = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    MessageUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    MessageMethod = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    LogIncomingMessages = table.Column<bool>(type: "INTEGER", nullable: false),
                    DefaultNumberApp = table.Column<bool>(type: "INTEGER", nullable: false),
                    DefaultEndpointApp = table.Column<bool>(type: "INTEGER", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ModifiedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_applications", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_applications_AccountId_CreatedAt",
                table: "applications",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_applications_AppId",
                table: "applications",
                column: "AppId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "applications");
        }
    }
}
