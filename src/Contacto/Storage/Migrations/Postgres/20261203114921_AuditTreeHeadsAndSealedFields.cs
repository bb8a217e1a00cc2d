using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    internal partial class AuditTreeHeadsAndSealedFields : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_checkpoints");

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

            migrationBuilder.CreateTable(
                name: "audit_tree_heads",
                columns: table => new
                {
                    chain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tree_size = table.Column<long>(type: "bigint", nullable: false),
                    timestamp = table.Column<long>(type: "bigint", nullable: false),
                    root_hash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    signature = table.Column<byte[]>(type: "bytea", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_tree_heads", x => new { x.chain_id, x.tree_size });
                });

            migrationBuilder.CreateTable(
                name: "audit_tree_tiles",
                columns: table => new
                {
                    chain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    level = table.Column<int>(type: "integer", nullable: false),
                    idx = table.Column<long>(type: "bigint", nullable: false),
                    hashes = table.Column<byte[]>(type: "bytea", maxLength: 8192, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_tree_tiles", x => new { x.chain_id, x.level, x.idx });
                });

            migrationBuilder.CreateIndex(
                name: "IX_console_users_EmailIndex",
                table: "console_users",
                column: "EmailIndex",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_tree_heads");

            migrationBuilder.DropTable(
                name: "audit_tree_tiles");

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

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    ChainId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Mac = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false),
                    Signature = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false),
                    SignedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_checkpoints", x => new { x.ChainId, x.Sequence });
                });

            migrationBuilder.CreateIndex(
                name: "IX_console_users_Email",
                table: "console_users",
                column: "Email",
                unique: true);
        }
    }
}
