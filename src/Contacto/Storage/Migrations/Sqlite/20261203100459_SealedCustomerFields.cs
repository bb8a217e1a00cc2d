using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
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
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "CallbackUrlSealed",
                table: "messages",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailIndex",
                table: "console_users",
                type: "BLOB",
                maxLength: 16,
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailSealed",
                table: "console_users",
                type: "BLOB",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailIndex",
                table: "console_invitations",
                type: "BLOB",
                maxLength: 16,
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "EmailSealed",
                table: "console_invitations",
                type: "BLOB",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "AnswerUrlSealed",
                table: "applications",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "FallbackAnswerUrlSealed",
                table: "applications",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "HangupUrlSealed",
                table: "applications",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "MessageUrlSealed",
                table: "applications",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "PathSealed",
                table: "api_log",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Route",
                table: "api_log",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            // Addresses cannot be sealed in SQL (the keys live with the key service), so existing
            // users keep a placeholder index, unique but matching no address: they are invited again.
            migrationBuilder.Sql("UPDATE console_users SET \"EmailIndex\" = CAST(\"Id\" AS BLOB)");

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
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CallbackUrl",
                table: "messages",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "console_users",
                type: "TEXT",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "console_invitations",
                type: "TEXT",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "AnswerUrl",
                table: "applications",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FallbackAnswerUrl",
                table: "applications",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HangupUrl",
                table: "applications",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MessageUrl",
                table: "applications",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Path",
                table: "api_log",
                type: "TEXT",
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
