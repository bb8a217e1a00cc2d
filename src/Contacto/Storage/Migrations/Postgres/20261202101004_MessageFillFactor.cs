using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MessageFillFactor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "messages")
                .Annotation("Npgsql:StorageParameter:fillfactor", 70);

            migrationBuilder.AlterTable(
                name: "message_parts")
                .Annotation("Npgsql:StorageParameter:fillfactor", 70);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "messages")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 70);

            migrationBuilder.AlterTable(
                name: "message_parts")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 70);
        }
    }
}
