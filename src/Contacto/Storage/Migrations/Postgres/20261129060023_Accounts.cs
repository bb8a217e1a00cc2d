using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AuthId = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ParentId = table.Column<Guid>(type: "uuid", nullable: true),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ModifiedAt = table.Column<long>(type: "bigint", nullable: true),
                    DeletedAt = table.Column<long>(type: "bigint", nullable: true),
                    NameSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    AddressSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    CitySealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    StateSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    Timezone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AccountType = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    BillingMode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CashCredits = table.Column<decimal>(type: "numeric(18,5)", precision: 18, scale: 5, nullable: false),
                    AutoRecharge = table.Column<bool>(type: "boolean", nullable: false),
                    AuthTokenSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    PreviousAuthTokenSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    PreviousAuthTokenExpiresAt = table.Column<long>(type: "bigint", nullable: true)
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
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
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
