using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MessageClaimLease : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ClaimedUntil",
                table: "messages",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // A claimed message stays hidden until its lease ends, as claims were written before.
            migrationBuilder.Sql("""UPDATE "messages" SET "NextAttemptAt" = "ClaimedUntil" WHERE "ClaimedUntil" > "NextAttemptAt";""");

            migrationBuilder.DropColumn(
                name: "ClaimedUntil",
                table: "messages");
        }
    }
}
