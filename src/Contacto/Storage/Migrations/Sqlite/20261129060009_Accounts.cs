using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Accounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AuthId = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ParentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ModifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DeletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NameSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    AddressSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    CitySealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    StateSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Timezone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AccountType = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    BillingMode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CashCredits = table.Column<decimal>(type: "TEXT", precision: 18, scale: 5, nullable: false),
                    AutoRecharge = table.Column<bool>(type: "INTEGER", nullable: false),
                    AuthTokenSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    PreviousAuthTokenSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    PreviousAuthTokenExpiresAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_accounts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_accounts_accounts_ParentId",
                        column: x => x.ParentId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "platform_markers",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_platform_markers", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_accounts_AuthId",
                table: "accounts",
                column: "AuthId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_accounts_ParentId_CreatedAt",
                table: "accounts",
                columns: new[] { "ParentId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "accounts");

            migrationBuilder.DropTable(
                name: "platform_markers");
        }
    }
}
