"""Environment-file models: the schema editors see, and the frozen Desired state the core uses.

A config var is written as one of:

    TMI_LOG_LEVEL: info                                         literal text, kept as written
    TMI_LOG_LEVEL: {value: info, sensitive: false}              literal, sensitivity spelled out
    OAUTH_PROVIDERS_GOOGLE_CLIENT_SECRET: {secret_env: GOOGLE_SECRET}   secret from the deployer's env
    TMI_ALERTING_WEBHOOK_SECRET: {secret_file: secrets/hook}    secret from a file (trimmed)
    TMI_ADMIN_PROVIDER_ID: {prompt: "Admin subject id"}         asked (hidden) at apply when missing
    TMI_JWT_SECRET: {generate: base64, bytes: 32}               generated once, kept forever after
    TMI_DATABASE_URL: {addon: DATABASE, part: url, sslmode: require}   from a live add-on var
    TMI_OAUTH_CALLBACK_URL: {app: server, part: origin, suffix: /oauth2/callback}  from an app's URL
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag, WithJsonSchema

Role = Literal["server", "client"]
ROLES: tuple[Role, ...] = ("server", "client")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LiteralValue(Strict):
    value: str = Field(description="the value, as text")
    sensitive: bool | None = Field(None, description="true: always treat as a secret; false: overrules only a "
                                                    "guess from an unknown name, never the catalogue or the content")


class SecretEnv(Strict):
    secret_env: str = Field(description="environment variable of the deployer holding the value")


class SecretFile(Strict):
    secret_file: str = Field(description="file holding the value (relative to the environment file)")


class Prompt(Strict):
    prompt: str = Field(description="question asked (hidden input) by an interactive apply")


class Generate(Strict):
    generate: Literal["base64", "hex"] = Field(description="encoding of the random bytes")
    bytes: int = Field(32, ge=16, le=128, description="number of random bytes")


AddonPart = Literal["url", "host", "port", "user", "password", "database"]
AppPart = Literal["url", "origin", "host"]


class FromAddon(Strict):
    addon: str = Field(description="attachment name, e.g. DATABASE or REDIS")
    part: AddonPart = Field("url", description="which part of the add-on's URL")
    sslmode: str | None = Field(None, description="add ?sslmode=... to the URL (Postgres)")


class FromApp(Strict):
    app: Role = Field(description="role of the app whose public URL is used")
    part: AppPart = Field("origin", description="origin = scheme://host without trailing slash")
    suffix: str = Field("", description="text appended, e.g. /oauth2/callback or /*")


def _value_kind(raw: Any) -> str:
    if isinstance(raw, str):
        return "literal"
    if isinstance(raw, dict):
        for key in ("value", "secret_env", "secret_file", "prompt", "generate", "addon", "app"):
            if key in raw:
                return key
        return "unknown"
    if isinstance(raw, BaseModel):
        return {LiteralValue: "value", SecretEnv: "secret_env", SecretFile: "secret_file",
                Prompt: "prompt", Generate: "generate", FromAddon: "addon", FromApp: "app"}.get(
                    type(raw), "unknown")
    return "unknown"


ValueSource = Annotated[
    Annotated[str, Tag("literal")]
    | Annotated[LiteralValue, Tag("value")]
    | Annotated[SecretEnv, Tag("secret_env")]
    | Annotated[SecretFile, Tag("secret_file")]
    | Annotated[Prompt, Tag("prompt")]
    | Annotated[Generate, Tag("generate")]
    | Annotated[FromAddon, Tag("addon")]
    | Annotated[FromApp, Tag("app")],
    Discriminator(
        _value_kind,
        custom_error_type="invalid_value_source",
        custom_error_message=(
            "a config value is text or a mapping with one of: value, secret_env, secret_file, "
            "prompt, generate, addon, app"
        ),
    ),
]


class FormationSpec(Strict):
    quantity: int = Field(ge=0, le=100)
    size: str = Field("basic", description="dyno size, e.g. eco, basic, standard-1x, standard-2x")


class AddonSpec(Strict):
    plan: str = Field(pattern=r"^[a-z0-9-]+:[a-z0-9-]+$", description="service:plan")


class DomainsSpec(Strict):
    hostnames: list[str] = Field(description="custom hostnames the app serves, e.g. tmi.example.com; the first "
                                             "is the app's public origin unless url: says otherwise")
    acm: bool = Field(True, description="Heroku's Automated Certificate Management (needs Basic dynos or above)")


class AppFile(Strict):
    # Checked after a template's {instance} is replaced; editors see a pattern that allows the placeholder.
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$"), WithJsonSchema(
        {"type": "string", "pattern": r"^([a-z]|\{instance\})([a-z0-9-]|\{instance\})*$"})] | None = Field(
        None, description="Heroku app name")
    region: str | None = None
    stack: str | None = None
    team: str | None = None
    url: str | None = Field(None, description="public origin if not the herokuapp.com one (default: "
                                              "https:// and the first of domains.hostnames)")
    domains: DomainsSpec | None = Field(None, description="custom domains; absent: tmi-deploy leaves them alone")
    config: dict[str, ValueSource | None] | None = None
    addons: dict[str, AddonSpec | str | None] | None = Field(
        None, description="attachment name -> 'service:plan' (or {plan: ...})")
    features: dict[str, bool] | None = None
    formation: dict[str, FormationSpec | None] | None = None
    buildpacks: list[str] | None = None
    collaborators: list[str] | None = None


class PolicyFile(Strict):
    prune: bool | None = Field(None, description="delete live config vars and add-ons nobody declared")
    tolerate: list[str] | None = Field(None, description="glob patterns of live vars left alone")
    protected_addons: list[str] | None = Field(None, description="attachments never destroyed")
    max_delete_share: float | None = Field(
        None, ge=0, le=1, description="deleting more than this share of an app's vars needs --allow-destroy")


class AppJsonMeta(Strict):
    name: str | None = None
    description: str | None = None
    repository: str | None = None
    keywords: list[str] | None = None


class HerokuAccountFile(Strict):
    # Only HEROKU_API_KEY*: a file must not be able to send another secret (GITHUB_TOKEN...) as a Bearer token.
    token_env: str = Field(pattern=r"^HEROKU_API_KEY(_[A-Z0-9]+)*$",
                           description="environment variable holding this environment's Heroku API token "
                                       "(default HEROKU_API_KEY, else ~/.netrc)")


class EnvironmentFile(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              title="tmi-deploy environment file")
    schema_ref: str | None = Field(None, alias="$schema")
    extends: str | None = Field(None, description="base file this one overlays, e.g. _base.yml")
    description: str | None = None
    # Anchored at both ends: the version is printed in plan headers and PR comments.
    tmi_version: str | None = Field(None, pattern=r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$",
                                    description="TMI server version deployed")
    policy: PolicyFile | None = None
    app_json: AppJsonMeta | None = None
    heroku: HerokuAccountFile | None = Field(None, description="which Heroku account (token) holds these apps")
    consent: list[str] | None = Field(
        None, description="exact consent tokens a plan printed for blocked changes, e.g. "
                          "destroy-addon:tmi-server-staging:rediscloud-curly-12345:1f2e3d4c (reviewed in the pull request)")
    apps: dict[Role, AppFile] | None = None


# ---- Desired state: merged, validated, frozen --------------------------------------------------

Source = str | LiteralValue | SecretEnv | SecretFile | Prompt | Generate | FromAddon | FromApp


class Origin(Strict):
    """Where a desired value was written."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class VarSpec(Strict):
    name: str
    source: Source
    sensitive: bool
    origin: Origin


class Formation(Strict):
    quantity: int
    size: str


class AddonDesired(Strict):
    attachment: str
    plan: str
    origin: Origin

    @property
    def service(self) -> str:
        return self.plan.split(":", 1)[0]


class DomainsDesired(Strict):
    hostnames: tuple[str, ...]
    acm: bool
    origin: Origin


class AppDesired(Strict):
    role: Role
    name: str
    region: str
    stack: str
    team: str | None
    url: str | None
    config: dict[str, VarSpec]
    addons: dict[str, AddonDesired]
    features: dict[str, bool]
    formation: dict[str, Formation]
    buildpacks: tuple[str, ...] | None
    collaborators: tuple[str, ...]
    origin: Origin
    field_origins: dict[str, Origin] = {}  # "features.X", "formation.web", "buildpacks", "collaborators"
    domains: DomainsDesired | None = None  # None: not declared, so live domains are not tmi-deploy's

    def origin_of(self, key: str) -> Origin:
        return self.field_origins.get(key, self.origin)


class Policy(Strict):
    prune: bool = False
    tolerate: tuple[str, ...] = ()
    protected_addons: tuple[str, ...] = ()
    max_delete_share: float = 0.5


class Consent(Strict):
    """One reviewed consent: the exact token a plan printed, and where it was written."""

    token: str
    origin: Origin


class Environment(Strict):
    name: str
    file: str
    tmi_version: str
    policy: Policy
    apps: dict[Role, AppDesired]
    base_dir: str
    app_json: AppJsonMeta | None = None
    consent: tuple[Consent, ...] = ()
    token_env: str | None = None  # None: HEROKU_API_KEY, else ~/.netrc

    @property
    def account(self) -> str:
        """Environments with equal accounts share one token, one request budget and one app limit."""
        return self.token_env or "HEROKU_API_KEY"
