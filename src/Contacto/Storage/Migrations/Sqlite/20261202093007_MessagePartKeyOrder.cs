using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MessagePartKeyOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_message_parts",
                table: "message_parts");

            migrationBuilder.AddPrimaryKey(
                name: "PK_message_parts",
                table: "message_parts",
                columns: new[] { "CarrierMessageId", "Carrier" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_message_parts",
                table: "message_parts");

            migrationBuilder.AddPrimaryKey(
                name: "PK_message_parts",
                table: "message_parts",
                columns: new[] { "Carrier", "CarrierMessageId" });
        }
    }
}
