"""Seawall's configuration: one TOML file, every key optional.

Looked up, first found wins: the ``--config`` option, ``$SEAWALL_CONFIG``, ``./seawall.toml``,
``$XDG_CONFIG_HOME/seawall/seawall.toml``. With no file at all Seawall still works: the
recipients' own domains count as protected, and the shipped brand list applies.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated

import msgspec

from seawall.mail.limits import Limits


class Organisation(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Who we protect: our domains, names and people are what phishers imitate."""

    name: str = ""
    names: list[str] = []
    """Other names the organisation goes by (display-name impersonation checks them too)."""
    domains: list[str] = []
    executives: list[str] = []
    sectors: list[str] = []
    protect_recipient_domains: bool = True
    """Count the recipients' own domains as protected (zero-configuration spear-phish check)."""


class Authentication(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    trusted_authserv_ids: list[str] = []
    """Authentication-Results are read only from these receivers (RFC 8601 section 5):
    anyone can write an Authentication-Results header into the mail they send."""
    microsoft365: bool = False
    """Mail delivered by Microsoft 365 (Exchange Online): trust the topmost Authentication-Results
    when it carries no authserv-id, as Exchange Online writes it. Only the topmost: one a sender
    wrote into the message sits below the one Exchange Online added on arrival."""


class VerdictThresholds(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    suspicious: float = 30.0
    phishing: float = 60.0
    model_without_deception: Annotated[float, msgspec.Meta(ge=0.0, lt=100.0)] = 10.0
    """The most points the model adds when no deception, payload or intelligence line matched
    (docs/scoring.md): it may raise and rank deceptive mail, not condemn wording."""


class RulesConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    directories: list[str] = []
    """Extra directories of rule files, loaded after the shipped rules."""
    disabled: list[str] = []
    weights: dict[str, float] = {}
    """Global weight overrides by rule id."""


class ModelConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    enabled: bool = True
    path: str = ""
    """A model file from ``seawall train``; empty means the model shipped with Seawall."""
    phish_prior: Annotated[float, msgspec.Meta(gt=0.0, lt=1.0)] = 0.1
    """Share of phishing expected in the mail scanned. The model is calibrated on its training
    mix (about a third phish); its probability is re-based to this share (Bayes' rule on the
    odds), so that in a mailbox where phishing is rarer a lone model hunch weighs less."""


class StoreConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    database_url: str = ""
    """SQLAlchemy URL; empty means SQLite in the data directory. ``$SEAWALL_DATABASE_URL`` wins."""
    keep_raw: bool = True
    """Keep every scanned message in the content-addressed raw store for re-analysis."""
    raw_dir: str = ""


class CampaignSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    enabled: bool = True
    text_threshold: float = 0.5
    """Estimated Jaccard similarity of normalised text shingles that makes a near-duplicate."""
    wave_gap_hours: float = 12.0
    """A silence longer than this within a campaign ends a wave."""
    labels: list[str] = msgspec.field(default_factory=lambda: ["suspicious", "phishing"])
    """Verdicts whose messages are clustered into campaigns."""


class Target(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Recipients' domains mapped to the organisation and sector they belong to."""

    organisation: str
    sector: str = ""
    domains: list[str] = []


class IntelConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    allow_domains: list[str] = []
    """Extra domains never reported as indicators (the organisation's own are always left out)."""
    match_weight: float = 60.0
    """Weight of a match with an imported indicator of confidence 50; scales with confidence."""


class ScopedException(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An operator's exception for some senders and/or some recipients, never global.

    ``allow`` lets authenticated mail from ``senders`` through; ``weights`` changes rule weights
    inside the scope only. Every exception that applies (or is refused) shows in the evidence.
    """

    name: str
    senders: list[str] = []
    """Sender domains (the From domain or a subdomain of it); empty means any sender."""
    recipients: list[str] = []
    """Recipient addresses or domains (``finance@petroco-energy.com``, ``example-agency.gov``);
    empty means any recipient. The scope applies when any recipient is in the group."""
    allow: bool = False
    weights: dict[str, float] = {}
    """Rule id -> weight inside this scope (0 switches the rule off here)."""
    require_authentication: bool = True
    """An allow applies only when the From domain passed DMARC (or aligned DKIM) at a trusted
    receiver and is not itself a lookalike: otherwise anyone could claim the allowed domain."""


ACTIONS = ("tag", "quarantine", "reject", "deliver")


class MailFlowConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``[mailflow]``: what the Postfix filter and milter do with each label (docs/deployment.md)."""

    clean: str = "tag"
    suspicious: str = "tag"
    phishing: str = "tag"
    """``tag`` (deliver with X-Seawall headers), ``quarantine`` (the filter holds it in the
    store, the milter on Postfix's hold queue), ``reject`` (the milter refuses it with 550
    5.7.1 while the sender is connected; the after-queue filter, which must never bounce,
    quarantines instead) or ``deliver`` (untagged). Everything is tagged by default: nothing
    is held until an administrator says so."""
    reinject_timeout_seconds: float = 30.0
    max_message_bytes: int = 50 * 1024 * 1024
    quarantine_keep_days: Annotated[int, msgspec.Meta(ge=1)] = 30
    """How long ``seawall quarantine purge`` keeps a held message's bytes (run it daily)."""

    def __post_init__(self) -> None:
        for label in ("clean", "suspicious", "phishing"):
            if getattr(self, label) not in ACTIONS:
                raise msgspec.ValidationError(f"[mailflow] {label} must be one of {', '.join(ACTIONS)}")

    def action(self, label: str) -> str:
        """The action for a label; a message without one (an input that is no message) is tagged."""
        return str(getattr(self, label, "tag")) if label in ("clean", "suspicious", "phishing") else "tag"


class Webhook(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    url: str
    secret_file: str = ""
    """A file holding the signing secret (Standard Webhooks, ``whsec_`` + base64, or raw)."""


class AlertsConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``[alerts]``: webhooks told when a campaign starts, a new wave begins, or a message
    matches high-severity intelligence (docs/deployment.md)."""

    webhooks: list[Webhook] = []
    events: list[str] = msgspec.field(default_factory=lambda: ["campaign", "wave", "intel"])
    intel_min_confidence: int = 70
    """An intelligence match alerts from this confidence up."""
    max_attempts: int = 12
    timeout_seconds: float = 10.0


class Settings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    organisation: Organisation = msgspec.field(default_factory=Organisation)
    authentication: Authentication = msgspec.field(default_factory=Authentication)
    verdict: VerdictThresholds = msgspec.field(default_factory=VerdictThresholds)
    rules: RulesConfig = msgspec.field(default_factory=RulesConfig)
    model: ModelConfig = msgspec.field(default_factory=ModelConfig)
    limits: Limits = msgspec.field(default_factory=Limits)
    store: StoreConfig = msgspec.field(default_factory=StoreConfig)
    campaigns: CampaignSettings = msgspec.field(default_factory=CampaignSettings)
    targets: list[Target] = []
    intel: IntelConfig = msgspec.field(default_factory=IntelConfig)
    exceptions: list[ScopedException] = []
    mailflow: MailFlowConfig = msgspec.field(default_factory=MailFlowConfig)
    alerts: AlertsConfig = msgspec.field(default_factory=AlertsConfig)
    source: str = ""
    """The file these settings were read from (empty for built-in defaults)."""


class ConfigError(ValueError):
    """The configuration file exists but cannot be used; the message says why."""


def data_dir() -> Path:
    """Where Seawall keeps its store: ``$SEAWALL_HOME``, else the XDG data directory."""
    home = os.environ.get("SEAWALL_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "seawall"


def _candidates(explicit: str | os.PathLike[str] | None) -> list[Path]:
    if explicit:
        return [Path(explicit)]
    found: list[Path] = []
    env = os.environ.get("SEAWALL_CONFIG")
    if env:
        return [Path(env)]
    found.append(Path.cwd() / "seawall.toml")
    xdg = os.environ.get("XDG_CONFIG_HOME")
    found.append((Path(xdg) if xdg else Path.home() / ".config") / "seawall" / "seawall.toml")
    return found


def config_file(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The file ``load_settings(path)`` reads, if there is one."""
    return next((candidate for candidate in _candidates(path) if candidate.is_file()), None)


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read the configuration; an explicitly named file must exist."""
    found = config_file(path)
    if found is not None:
        return settings_from_toml(found.read_text(encoding="utf-8"), str(found))
    if path or os.environ.get("SEAWALL_CONFIG"):
        raise ConfigError(f"configuration file not found: {_candidates(path)[0]}")
    return Settings()


def settings_from_toml(text: str, source: str = "<string>") -> Settings:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    try:
        settings = msgspec.convert(raw, Settings)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    settings.source = source
    return settings
