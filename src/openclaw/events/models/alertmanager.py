"""AlertManager webhook v4 (the `<webhook_config>` body): a notification for one alert group."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from openclaw.events.models.base import FirstBad, Labels, WebhookModel

AlertStatus = Literal["firing", "resolved"]
# AlertManager's "zero" time: endsAt of an alert that is still firing.
ZERO_TIME = "0001-01-01T00:00:00Z"


_FNV64_OFFSET = 0xCBF29CE484222325
_FNV64_PRIME = 0x100000001B3
_SEPARATOR = 0xFF


def label_fingerprint(labels: dict[str, str]) -> str:
    """AlertManager's fingerprint of a label set (prometheus/common `LabelSet.Fingerprint`):
    FNV-1a 64 over the sorted names and their values, each followed by a 0xff byte, as 16 hex digits."""
    h = _FNV64_OFFSET
    for name in sorted(labels):
        for part in (name.encode(), labels[name].encode()):
            for byte in (*part, _SEPARATOR):
                h = ((h ^ byte) * _FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


class Alert(WebhookModel):
    status: AlertStatus
    labels: Labels
    annotations: Labels = Field(default_factory=dict)
    starts_at: str = Field("", alias="startsAt")
    ends_at: str | None = Field(None, alias="endsAt")
    generator_url: str = Field("", alias="generatorURL")
    # AlertManager has sent it since 0.19; computed from the labels for older senders.
    fingerprint: str | None = None

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def key(self) -> str:
        """The alert's identity: AlertManager's fingerprint, else the same one computed from its labels."""
        return self.fingerprint or label_fingerprint(self.labels)


class AlertmanagerNotification(WebhookModel):
    version: str = "4"
    group_key: str = Field(alias="groupKey")
    # How many alerts AlertManager left out because of `max_alerts`.
    truncated_alerts: int = Field(0, alias="truncatedAlerts", ge=0)
    status: AlertStatus
    receiver: str = ""
    group_labels: Labels = Field(default_factory=dict, alias="groupLabels")
    common_labels: Labels = Field(default_factory=dict, alias="commonLabels")
    common_annotations: Labels = Field(default_factory=dict, alias="commonAnnotations")
    external_url: str = Field("", alias="externalURL")
    alerts: FirstBad[list[Alert]]
