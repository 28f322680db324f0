"""The server's optional features at 1.8.22: content sources and extractors, Timmy (the AI assistant),
SSRF allowlists, secret backends, NATS workers, cloud logging; and the SAML tags TMI never reads.

Every name here is in catalog/data/server-1.8.22.json (tools/extract_tmi_names.py); types from the Go
struct tags, defaults and secrecy from TMI's config-reference.md. None of these is needed on Heroku.
"""

from __future__ import annotations

from tmi_deploy.catalog.var import Var, VarType, v


def _timmy(name: str, type_: VarType, default: str | None = None, secret: bool = False) -> Var:
    return v(f"TMI_TIMMY_{name}", type_, default, secret=secret, operational=True, setting=f"timmy.{name.lower()}")


TIMMY: tuple[Var, ...] = (
    _timmy("ENABLED", "bool", "false"),
    _timmy("LLM_PROVIDER", "string"), _timmy("LLM_MODEL", "string"), _timmy("LLM_BASE_URL", "url"),
    _timmy("LLM_API_KEY", "string", secret=True), _timmy("LLM_MAX_TOKENS", "int", "4096"),
    _timmy("LLM_TIMEOUT_SECONDS", "int", "120"),
    _timmy("TEXT_EMBEDDING_PROVIDER", "string"), _timmy("TEXT_EMBEDDING_MODEL", "string"),
    _timmy("TEXT_EMBEDDING_BASE_URL", "url"), _timmy("TEXT_EMBEDDING_API_KEY", "string", secret=True),
    _timmy("EMBEDDING_DIMENSION", "int", "0"), _timmy("TEXT_RETRIEVAL_TOP_K", "int", "10"),
    _timmy("CODE_EMBEDDING_PROVIDER", "string"), _timmy("CODE_EMBEDDING_MODEL", "string"),
    _timmy("CODE_EMBEDDING_BASE_URL", "url"), _timmy("CODE_EMBEDDING_API_KEY", "string", secret=True),
    _timmy("CODE_RETRIEVAL_TOP_K", "int", "10"), _timmy("QUERY_DECOMPOSITION_ENABLED", "bool", "false"),
    _timmy("RERANK_PROVIDER", "string"), _timmy("RERANK_MODEL", "string"), _timmy("RERANK_BASE_URL", "url"),
    _timmy("RERANK_API_KEY", "string", secret=True), _timmy("RERANK_TOP_K", "int", "10"),
    _timmy("MAX_CONVERSATION_HISTORY", "int", "50"), _timmy("OPERATOR_SYSTEM_PROMPT", "string"),
    _timmy("MAX_MEMORY_MB", "int", "256"), _timmy("INACTIVITY_TIMEOUT_SECONDS", "int", "3600"),
    _timmy("MAX_MESSAGES_PER_USER_PER_HOUR", "int", "60"), _timmy("MAX_SESSIONS_PER_THREAT_MODEL", "int", "50"),
    _timmy("MAX_CONCURRENT_LLM_REQUESTS", "int", "10"), _timmy("CHUNK_SIZE", "int", "512"),
    _timmy("CHUNK_OVERLAP", "int", "50"), _timmy("EMBEDDING_CLEANUP_INTERVAL_MINUTES", "int", "60"),
    _timmy("EMBEDDING_IDLE_DAYS_ACTIVE", "int", "30"), _timmy("EMBEDDING_IDLE_DAYS_CLOSED", "int", "7"),
    _timmy("DUMP_EXTRACTED_TEXT_TO_NOTE", "bool", "false"),
)

_EXTRACTORS = (("COMPRESSED_SIZE_BYTES", "20971520"), ("DECOMPRESSED_SIZE_BYTES", "52428800"),
               ("MARKDOWN_SIZE_BYTES", "131072"), ("PART_SIZE_BYTES", "20971520"),
               ("PER_USER_CONCURRENCY_DEFAULT", "2"), ("PPTX_SLIDES", "100"), ("XLSX_CELLS", "1000"))
_SOURCE = "TMI_CONTENT_SOURCE_"
CONTENT: tuple[Var, ...] = (
    *(v(f"TMI_CONTENT_EXTRACTORS_{name}", "int", default, operational=True,
        setting=f"content_extractors.{name.lower()}") for name, default in _EXTRACTORS),
    v("TMI_CONTENT_EXTRACTORS_WALL_CLOCK_BUDGET", "duration", "30s", operational=True,
      setting="content_extractors.wall_clock_budget"),
    v("TMI_EXTRACTION_ASYNC_ENABLED", "bool", "false", operational=True, setting="extraction.async_enabled"),
    v("TMI_CONTENT_OAUTH_CALLBACK_URL", "url", setting="content_oauth.callback_url"),
    *(v(f"{_SOURCE}{name}_ENABLED", "bool", "false", operational=True,
        setting=f"content_sources.{name.lower()}.enabled")
      for name in ("CONFLUENCE", "GOOGLE_DRIVE", "GOOGLE_WORKSPACE", "MICROSOFT")),
    v(f"{_SOURCE}GOOGLE_DRIVE_SERVICE_ACCOUNT_EMAIL", "string", setting="content_sources.google_drive.account"),
    # A file of service-account credentials: the path is not the secret, but it names one.
    v(f"{_SOURCE}GOOGLE_DRIVE_CREDENTIALS_FILE", "path", secret=True, setting="content_sources.google_drive.credentials"),
    v(f"{_SOURCE}GOOGLE_DRIVE_BROWSER_OAUTH_CLIENT_ID", "string", setting="content_sources.google_drive.client_id"),
    v(f"{_SOURCE}GOOGLE_DRIVE_PICKER_DEVELOPER_KEY", "string", secret=True,
      setting="content_sources.google_drive.picker_key"),
    v(f"{_SOURCE}GOOGLE_DRIVE_PICKER_APP_ID", "string", setting="content_sources.google_drive.picker_app_id"),
    v(f"{_SOURCE}GOOGLE_WORKSPACE_PICKER_DEVELOPER_KEY", "string", secret=True,
      setting="content_sources.google_workspace.picker_key"),
    v(f"{_SOURCE}GOOGLE_WORKSPACE_PICKER_APP_ID", "string", setting="content_sources.google_workspace.picker_app_id"),
    v(f"{_SOURCE}MICROSOFT_TENANT_ID", "string", setting="content_sources.microsoft.tenant_id"),
    v(f"{_SOURCE}MICROSOFT_CLIENT_ID", "string", setting="content_sources.microsoft.client_id"),
    v(f"{_SOURCE}MICROSOFT_APPLICATION_OBJECT_ID", "string", setting="content_sources.microsoft.object_id"),
    v(f"{_SOURCE}MICROSOFT_PICKER_ORIGIN", "url", setting="content_sources.microsoft.picker_origin"),
)

# cmd/server/main.go buildURIValidator(cfg, "TMI_SSRF_<KIND>"): comma-separated overrides.
SSRF: tuple[Var, ...] = tuple(
    v(f"TMI_SSRF_{kind}_{part}", "list", setting=f"ssrf.{kind.lower()}.{part.lower()}")
    for kind in ("DOCUMENT_URI", "ISSUE_URI", "REPOSITORY_URI", "TIMMY", "WEBHOOK") for part in ("ALLOWLIST", "SCHEMES"))

PLATFORM: tuple[Var, ...] = (
    # Secret backends other than "env" (TMI_SECRETS_PROVIDER), and their coordinates.
    v("TMI_VAULT_ADDRESS", "url", setting="secrets.vault_address"),
    v("TMI_VAULT_PATH", "string", setting="secrets.vault_path"),
    v("TMI_VAULT_TOKEN", "string", secret=True, setting="secrets.vault_token"),
    v("TMI_AWS_REGION", "string", setting="secrets.aws_region"),
    v("TMI_AWS_SECRET_NAME", "string", setting="secrets.aws_secret_name"),
    v("TMI_AZURE_VAULT_URL", "url", setting="secrets.azure_vault_url"),
    v("TMI_GCP_PROJECT_ID", "string", setting="secrets.gcp_project_id"),
    v("TMI_GCP_SECRET_NAME", "string", setting="secrets.gcp_secret_name"),
    v("TMI_OCI_COMPARTMENT_ID", "string", setting="secrets.oci_compartment_id"),
    v("TMI_OCI_VAULT_ID", "string", setting="secrets.oci_vault_id"),
    v("TMI_OCI_SECRET_NAME", "string", setting="secrets.oci_secret_name"),
    # NATS: the async extraction workers' bus; unset, the server extracts in-process.
    v("TMI_NATS_URL", "url", setting="nats.url"),
    v("TMI_NATS_CREDS", "path", setting="nats.creds"),
    v("TMI_COMPONENT_NAME", "string", setting="nats.component_name"),
    # Cloud logging sink (OCI): compared with "true" exactly, so any other text is off.
    v("TMI_CLOUD_LOG_ENABLED", "string", setting="cloud_log.enabled"),
    v("TMI_CLOUD_LOG_PROVIDER", "string", setting="cloud_log.provider"),
    v("TMI_CLOUD_LOG_LEVEL", "string", setting="cloud_log.level"),
    v("TMI_OCI_LOG_ID", "string", setting="cloud_log.oci_log_id"),
    v("TMI_TEST_FORCE_AUTH_FLOW_RATE_LIMITING", "string", setting="test.force_auth_flow_rate_limiting"),
)

# SAMLProviderConfig carries env tags, but overrideStructWithEnv hands the Providers map to
# overrideSAMLProviders, which reads SAML_PROVIDERS_<ID>_<FIELD>: these names are never read.
_SAML_FIELDS = ("ENTITY_ID", "METADATA_URL", "METADATA_XML", "ACS_URL", "SLO_URL", "SP_PRIVATE_KEY",
                "SP_PRIVATE_KEY_PATH", "SP_CERTIFICATE", "SP_CERTIFICATE_PATH", "IDP_METADATA_URL",
                "IDP_METADATA_B64XML", "ALLOW_IDP_INITIATED", "FORCE_AUTHN", "SIGN_REQUESTS", "NAME_ID_ATTRIBUTE",
                "EMAIL_ATTRIBUTE", "NAME_ATTRIBUTE", "GIVEN_NAME_ATTRIBUTE", "FAMILY_NAME_ATTRIBUTE",
                "GROUPS_ATTRIBUTE")
SAML_UNREAD: tuple[Var, ...] = tuple(
    v(f"TMI_SAML_{field}", "string", era="unread", setting=f"saml.unread.{field.lower()}",
      secret=field in ("SP_PRIVATE_KEY", "SP_CERTIFICATE", "IDP_METADATA_B64XML"),
      replaced_by=f"SAML_PROVIDERS_<ID>_{field}")
    for field in _SAML_FIELDS)

FEATURES_SERVER: tuple[Var, ...] = TIMMY + CONTENT + SSRF + PLATFORM + SAML_UNREAD
