using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Contacto.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditTreeHeads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_checkpoints");

            migrationBuilder.CreateTable(
                name: "audit_tree_heads",
                columns: table => new
                {
                    chain_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tree_size = table.Column<long>(type: "INTEGER", nullable: false),
                    timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    root_hash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    signature = table.Column<byte[]>(type: "BLOB", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_tree_heads", x => new { x.chain_id, x.tree_size });
                });

            migrationBuilder.CreateTable(
                name: "audit_tree_tiles",
                columns: table => new
                {
                    chain_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    level = table.Column<int>(type: "INTEGER", nullable: false),
                    idx = table.Column<long>(type: "INTEGER", nullable: false),
                    hashes = table.Column<byte[]>(type: "BLOB", maxLength: 8192, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_tree_tiles", x => new { x.chain_id, x.level, x.idx });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_tree_heads");

            migrationBuilder.DropTable(
                name: "audit_tree_tiles");

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    ChainId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Mac = table.Column<byte[]>(type: "BLOB", maxLength: 16, nullable: false),
                    Signature = table.Column<byte[]>(type: "BLOB", maxLength: 16, nullable: false),
                    SignedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_checkpoints", x => new { x.ChainId, x.Sequence });
                });
        }
    }
}
