using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SealedCustomerFields : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_console_users_Email",
                table: "console_users");

            migrationBuilder.DropColumn(
                name: "Alias",
                table: "numbers");

            migrationBuilder.DropColumn(
                name: "CallbackUrl",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "Email",
                table: "console_users");

            migrationBuilder.DropColumn(
                name: "Email",
                table: "console_invitations");

            migrationBuilder.DropColumn(
                name: "AnswerUrl",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "FallbackAnswerUrl",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "HangupUrl",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "MessageUrl",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "Path",
                table: "api_log");

            migrationBuilder.AddColumn<byte[]>(
                name: "AliasSealed",
                table: "numbers",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "CallbackUrlSealed",
                table: "messages",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailIndex",
                table: "console_users",
                type: "bytea",
                maxLength: 16,
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailSealed",
                table: "console_users",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailIndex",
                table: "console_invitations",
                type: "bytea",
                maxLength: 16,
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailSealed",
                table: "console_invitations",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "AnswerUrlSealed",
                table: "applications",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "FallbackAnswerUrlSealed",
                table: "applications",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "HangupUrlSealed",
                table: "applications",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "MessageUrlSealed",
                table: "applications",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "PathSealed",
                table: "api_log",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Route",
                table: "api_log",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            // Addresses cannot be sealed in SQL (the keys live with the key service), so existing
            // users keep a placeholder index, unique but matching no address: they are invited again.
            migrationBuilder.Sql("UPDATE console_users SET \"EmailIndex\" = uuid_send(\"Id\")");

            migrationBuilder.CreateIndex(
                name: "IX_console_users_EmailIndex",
                table: "console_users",
                column: "EmailIndex",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_console_users_EmailIndex",
                table: "console_users");

            migrationBuilder.DropColumn(
                name: "AliasSealed",
                table: "numbers");

            migrationBuilder.DropColumn(
                name: "CallbackUrlSealed",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "EmailIndex",
                table: "console_users");

            migrationBuilder.DropColumn(
                name: "EmailSealed",
                table: "console_users");

            migrationBuilder.DropColumn(
                name: "EmailIndex",
                table: "console_invitations");

            migrationBuilder.DropColumn(
                name: "EmailSealed",
                table: "console_invitations");

            migrationBuilder.DropColumn(
                name: "AnswerUrlSealed",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "FallbackAnswerUrlSealed",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "HangupUrlSealed",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "MessageUrlSealed",
                table: "applications");

            migrationBuilder.DropColumn(
                name: "PathSealed",
                table: "api_log");

            migrationBuilder.DropColumn(
                name: "Route",
                table: "api_log");

            migrationBuilder.AddColumn<string>(
                name: "Alias",
                table: "numbers",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CallbackUrl",
                table: "messages",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "console_users",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "console_invitations",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "AnswerUrl",
                table: "applications",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackAnswerUrl",
                table: "applications",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HangupUrl",
                table: "applications",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MessageUrl",
                table: "applications",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Path",
                table: "api_log",
                type: "character varying(512)",
                maxLength: 512,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_console_users_Email",
                table: "console_users",
                column: "Email",
                unique: true);
        }
    }
}
