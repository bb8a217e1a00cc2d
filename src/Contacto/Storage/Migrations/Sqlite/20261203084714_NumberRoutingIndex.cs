using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    internal partial class NumberRoutingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "RoutingIndex",
                table: "numbers",
                type: "BLOB",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_numbers_RoutingIndex",
                table: "numbers",
                column: "RoutingIndex",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_numbers_RoutingIndex",
                table: "numbers");

            migrationBuilder.DropColumn(
                name: "RoutingIndex",
                table: "numbers");
        }
    }
}
