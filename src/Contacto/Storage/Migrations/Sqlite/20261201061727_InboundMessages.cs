using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InboundMessages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "webhook_deliveries",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubjectId",
                table: "webhook_deliveries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "inbound_parts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NumberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    GroupIndex = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Carrier = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FromSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    TextSealed = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbound_parts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_inbound_parts_AccountId_GroupIndex_Sequence",
                table: "inbound_parts",
                columns: new[] { "AccountId", "GroupIndex", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbound_parts_ReceivedAt",
                table: "inbound_parts",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbound_parts");

            migrationBuilder.DropColumn(
                name: "Subject",
                table: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "SubjectId",
                table: "webhook_deliveries");
        }
    }
}
