using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Contacto.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    internal partial class Initial : Migration
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
                name: "api_log",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Path = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    LatencyMs = table.Column<double>(type: "double precision", nullable: false),
                    ApiId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourceAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AuthId = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_log", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "applications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    AppId = table.Column<string>(type: "character varying(17)", maxLength: 17, nullable: false),
                    AppName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SubaccountId = table.Column<Guid>(type: "uuid", nullable: true),
                    AnswerUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    AnswerMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    HangupUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    HangupMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    FallbackAnswerUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    FallbackMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    MessageUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    MessageMethod = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    LogIncomingMessages = table.Column<bool>(type: "boolean", nullable: false),
                    DefaultNumberApp = table.Column<bool>(type: "boolean", nullable: false),
                    DefaultEndpointApp = table.Column<bool>(type: "boolean", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ModifiedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_applications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "audit_chain_heads",
                columns: table => new
                {
                    chain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    mac = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_chain_heads", x => x.chain_id);
                });

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    ChainId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Mac = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false),
                    SignedAt = table.Column<long>(type: "bigint", nullable: false),
                    Signature = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_checkpoints", x => new { x.ChainId, x.Sequence });
                });

            migrationBuilder.CreateTable(
                name: "audit_records",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    chain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    OccurredAt = table.Column<long>(type: "bigint", nullable: false),
                    ActorKind = table.Column<int>(type: "integer", nullable: false),
                    ActorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ActorAuthId = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    SourceAddress = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    UserAgent = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    ResourceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Outcome = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    RequestId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Mac = table.Column<byte[]>(type: "bytea", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_records", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "inbound_parts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    NumberId = table.Column<Guid>(type: "uuid", nullable: false),
                    GroupIndex = table.Column<byte[]>(type: "bytea", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Carrier = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    FromSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    TextSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbound_parts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Impact = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Priority = table.Column<int>(type: "integer", nullable: false),
                    IsMaintenance = table.Column<bool>(type: "boolean", nullable: false),
                    ComponentIds = table.Column<List<string>>(type: "text[]", nullable: false),
                    OpenedForComponent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    StartedAt = table.Column<long>(type: "bigint", nullable: false),
                    MonitoringAt = table.Column<long>(type: "bigint", nullable: true),
                    ResolvedAt = table.Column<long>(type: "bigint", nullable: true),
                    ScheduledFor = table.Column<long>(type: "bigint", nullable: true),
                    ScheduledUntil = table.Column<long>(type: "bigint", nullable: true),
                    PostmortemBody = table.Column<string>(type: "text", nullable: true),
                    PostmortemPublishedAt = table.Column<long>(type: "bigint", nullable: true),
                    AcknowledgedAt = table.Column<long>(type: "bigint", nullable: true),
                    PagedLevel = table.Column<int>(type: "integer", nullable: true),
                    PagedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incidents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "key_shreddings",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    ScheduledAt = table.Column<long>(type: "bigint", nullable: false),
                    DestroyAfter = table.Column<long>(type: "bigint", nullable: false),
                    DestroyedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_key_shreddings", x => x.AccountId);
                });

            migrationBuilder.CreateTable(
                name: "message_parts",
                columns: table => new
                {
                    Carrier = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CarrierMessageId = table.Column<string>(type: "character varying(65)", maxLength: 65, nullable: false),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    State = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: true),
                    ErrorCode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_parts", x => new { x.CarrierMessageId, x.Carrier });
                })
                .Annotation("Npgsql:StorageParameter:fillfactor", 70);

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Direction = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    State = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    Type = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    FromSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    ToSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    TextSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    FromIndex = table.Column<byte[]>(type: "bytea", nullable: true),
                    ToIndex = table.Column<byte[]>(type: "bytea", nullable: true),
                    AlphanumericSender = table.Column<bool>(type: "boolean", nullable: false),
                    DestinationCountry = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Units = table.Column<int>(type: "integer", nullable: false),
                    Log = table.Column<bool>(type: "boolean", nullable: false),
                    LogOnly = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: true),
                    CallbackUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    CallbackMethod = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: true),
                    RequesterIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true),
                    ErrorCode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    Carrier = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    SentAt = table.Column<long>(type: "bigint", nullable: true),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "bigint", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messages", x => x.Id);
                })
                .Annotation("Npgsql:StorageParameter:fillfactor", 70);

            migrationBuilder.CreateTable(
                name: "numbers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    NumberSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    NumberIndex = table.Column<byte[]>(type: "bytea", nullable: false),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Alias = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AddedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_numbers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "operator_tokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_operator_tokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "page_outbox",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Target = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    IsPage = table.Column<bool>(type: "boolean", nullable: false),
                    Priority = table.Column<int>(type: "integer", nullable: false),
                    Summary = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Details = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    Link = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: false),
                    ClaimedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "bigint", nullable: true),
                    SentAt = table.Column<long>(type: "bigint", nullable: true),
                    FailedAt = table.Column<long>(type: "bigint", nullable: true),
                    LastError = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_page_outbox", x => x.Id);
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

            migrationBuilder.CreateTable(
                name: "status_component_changes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ComponentId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_status_component_changes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "status_components",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StatusSince = table.Column<long>(type: "bigint", nullable: false),
                    MonitoredStatus = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    MonitoredSince = table.Column<long>(type: "bigint", nullable: false),
                    OverrideStatus = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    OutageIncidentId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_status_components", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "tenant_keys",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    KekVersion = table.Column<int>(type: "integer", nullable: false),
                    WrappedKey = table.Column<byte[]>(type: "bytea", maxLength: 512, nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    RetiredAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tenant_keys", x => new { x.AccountId, x.Kind, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "webhook_attempts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeliveryId = table.Column<Guid>(type: "uuid", nullable: false),
                    OrderingKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: true),
                    Outcome = table.Column<int>(type: "integer", nullable: false),
                    LatencyMs = table.Column<double>(type: "double precision", nullable: false),
                    Error = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_attempts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    OrderingKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    SubjectId = table.Column<Guid>(type: "uuid", nullable: true),
                    Method = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    UrlSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    FieldsSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    ClaimedUntil = table.Column<long>(type: "bigint", nullable: true),
                    LastStatus = table.Column<int>(type: "integer", nullable: true),
                    LastError = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    FinishedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_deliveries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "console_invitations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    Role = table.Column<int>(type: "integer", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    UsedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_console_invitations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_console_invitations_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "console_sso_settings",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Issuer = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    ClientId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    ClientSecretSealed = table.Column<byte[]>(type: "bytea", nullable: false),
                    Required = table.Column<bool>(type: "boolean", nullable: false),
                    ModifiedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_console_sso_settings", x => x.AccountId);
                    table.ForeignKey(
                        name: "FK_console_sso_settings_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "console_users",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    Role = table.Column<int>(type: "integer", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordHash = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    TotpSecretSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    TotpConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    TotpLastStep = table.Column<long>(type: "bigint", nullable: false),
                    SsoIssuer = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    SsoSubject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ModifiedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_console_users", x => x.Id);
                    table.ForeignKey(
                        name: "FK_console_users_accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "incident_updates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Body = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    DisplayAt = table.Column<long>(type: "bigint", nullable: false),
                    AffectedComponentsJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incident_updates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_incident_updates_incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "console_passkeys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CredentialId = table.Column<byte[]>(type: "bytea", maxLength: 1023, nullable: false),
                    PublicKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    SignCount = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_console_passkeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_console_passkeys_console_users_UserId",
                        column: x => x.UserId,
                        principalTable: "console_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "console_recovery_codes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CodeHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    UsedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_console_recovery_codes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_console_recovery_codes_console_users_UserId",
                        column: x => x.UserId,
                        principalTable: "console_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "console_sessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Stage = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    LastSeenAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    ReauthenticatedAt = table.Column<long>(type: "bigint", nullable: true),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true),
                    PendingWebAuthn = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_console_sessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_console_sessions_console_users_UserId",
                        column: x => x.UserId,
                        principalTable: "console_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
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

            migrationBuilder.CreateIndex(
                name: "IX_api_log_AccountId_At",
                table: "api_log",
                columns: new[] { "AccountId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_api_log_At",
                table: "api_log",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_applications_AccountId_CreatedAt",
                table: "applications",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_applications_AppId",
                table: "applications",
                column: "AppId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_chain_id_OccurredAt",
                table: "audit_records",
                columns: new[] { "chain_id", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_records_chain_id_seq",
                table: "audit_records",
                columns: new[] { "chain_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_console_invitations_AccountId",
                table: "console_invitations",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_console_invitations_TokenHash",
                table: "console_invitations",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_console_passkeys_CredentialId",
                table: "console_passkeys",
                column: "CredentialId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_console_passkeys_UserId",
                table: "console_passkeys",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_console_recovery_codes_UserId_CodeHash",
                table: "console_recovery_codes",
                columns: new[] { "UserId", "CodeHash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_console_sessions_TokenHash",
                table: "console_sessions",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_console_sessions_UserId",
                table: "console_sessions",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_console_users_AccountId",
                table: "console_users",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_console_users_Email",
                table: "console_users",
                column: "Email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_console_users_SsoIssuer_SsoSubject",
                table: "console_users",
                columns: new[] { "SsoIssuer", "SsoSubject" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbound_parts_AccountId_GroupIndex_Sequence",
                table: "inbound_parts",
                columns: new[] { "AccountId", "GroupIndex", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbound_parts_ReceivedAt",
                table: "inbound_parts",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_incident_updates_IncidentId_DisplayAt",
                table: "incident_updates",
                columns: new[] { "IncidentId", "DisplayAt" });

            migrationBuilder.CreateIndex(
                name: "IX_incidents_IsMaintenance_CreatedAt",
                table: "incidents",
                columns: new[] { "IsMaintenance", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_incidents_Status",
                table: "incidents",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_key_shreddings_DestroyAfter",
                table: "key_shreddings",
                column: "DestroyAfter");

            migrationBuilder.CreateIndex(
                name: "IX_message_parts_MessageId",
                table: "message_parts",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_messages_AccountId_CreatedAt",
                table: "messages",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_AccountId_FromIndex",
                table: "messages",
                columns: new[] { "AccountId", "FromIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_AccountId_ToIndex",
                table: "messages",
                columns: new[] { "AccountId", "ToIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_NextAttemptAt",
                table: "messages",
                column: "NextAttemptAt",
                filter: "\"NextAttemptAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_numbers_AccountId_NumberIndex",
                table: "numbers",
                columns: new[] { "AccountId", "NumberIndex" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_page_outbox_IncidentId_Target",
                table: "page_outbox",
                columns: new[] { "IncidentId", "Target" });

            migrationBuilder.CreateIndex(
                name: "IX_page_outbox_SentAt_FailedAt_NextAttemptAt",
                table: "page_outbox",
                columns: new[] { "SentAt", "FailedAt", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_status_component_changes_ComponentId_At",
                table: "status_component_changes",
                columns: new[] { "ComponentId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_tenant_keys_KekVersion",
                table: "tenant_keys",
                column: "KekVersion");

            migrationBuilder.CreateIndex(
                name: "IX_webhook_attempts_AccountId_OrderingKey_At",
                table: "webhook_attempts",
                columns: new[] { "AccountId", "OrderingKey", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_AccountId_OrderingKey_State",
                table: "webhook_deliveries",
                columns: new[] { "AccountId", "OrderingKey", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_webhook_deliveries_State_NextAttemptAt",
                table: "webhook_deliveries",
                columns: new[] { "State", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_log");

            migrationBuilder.DropTable(
                name: "applications");

            migrationBuilder.DropTable(
                name: "audit_chain_heads");

            migrationBuilder.DropTable(
                name: "audit_checkpoints");

            migrationBuilder.DropTable(
                name: "audit_records");

            migrationBuilder.DropTable(
                name: "console_invitations");

            migrationBuilder.DropTable(
                name: "console_passkeys");

            migrationBuilder.DropTable(
                name: "console_recovery_codes");

            migrationBuilder.DropTable(
                name: "console_sessions");

            migrationBuilder.DropTable(
                name: "console_sso_settings");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "inbound_parts");

            migrationBuilder.DropTable(
                name: "incident_updates");

            migrationBuilder.DropTable(
                name: "key_shreddings");

            migrationBuilder.DropTable(
                name: "message_parts");

            migrationBuilder.DropTable(
                name: "messages");

            migrationBuilder.DropTable(
                name: "numbers");

            migrationBuilder.DropTable(
                name: "operator_tokens");

            migrationBuilder.DropTable(
                name: "page_outbox");

            migrationBuilder.DropTable(
                name: "platform_markers");

            migrationBuilder.DropTable(
                name: "status_component_changes");

            migrationBuilder.DropTable(
                name: "status_components");

            migrationBuilder.DropTable(
                name: "tenant_keys");

            migrationBuilder.DropTable(
                name: "webhook_attempts");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "console_users");

            migrationBuilder.DropTable(
                name: "incidents");

            migrationBuilder.DropTable(
                name: "accounts");
        }
    }
}
