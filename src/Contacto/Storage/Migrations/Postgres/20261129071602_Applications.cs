using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    AppId = table.Column<string>(type: "character varying(17)", maxLength: 17, nullable: false),
                    AppName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SubaccountId = table.Column<Guid>(type: "uuid", nullable: true),
                    AnswerUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    AnswerMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    HangupUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    HangupMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    FallbackAnswerUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    FallbackMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    MessageUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    MessageMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    LogIncomingMessages = table.Column<bool>(type: "boolean", nullable: false),
                    DefaultNumberApp = table.Column<bool>(type: "boolean", nullable: false),
                    DefaultEndpointApp = table.Column<bool>(type: "boolean", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ModifiedAt = table.Column<long>(type: "bigint", nullable: true)
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
