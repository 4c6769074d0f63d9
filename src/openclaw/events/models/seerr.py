"""Overseerr / Jellyseerr webhook notifications (the default JSON template).

The template fills placeholders as strings ("42", "" for none); `{{media}}`, `{{request}}`,
`{{issue}}` and `{{comment}}` become objects or null, `{{extra}}` a list of `{name, value}`.
Operators can edit the template, so only `notification_type` is required.
"""

from __future__ import annotations

from pydantic import Field

from openclaw.events.models.base import FirstBad, LooseInt, LooseStr, WebhookModel

NOTIFICATION_TYPES = (
    "TEST_NOTIFICATION",
    "MEDIA_PENDING",
    "MEDIA_APPROVED",
    "MEDIA_AUTO_APPROVED",
    "MEDIA_AUTO_REQUESTED",
    "MEDIA_AVAILABLE",
    "MEDIA_DECLINED",
    "MEDIA_FAILED",
    "ISSUE_CREATED",
    "ISSUE_COMMENT",
    "ISSUE_RESOLVED",
    "ISSUE_REOPENED",
)


class SeerrMedia(WebhookModel):
    media_type: LooseStr = None
    tmdb_id: LooseInt = Field(None, alias="tmdbId")
    tvdb_id: LooseInt = Field(None, alias="tvdbId")
    status: LooseStr = None
    status4k: LooseStr = None


class SeerrRequest(WebhookModel):
    request_id: LooseInt = None
    requested_by_email: LooseStr = Field(None, alias="requestedBy_email")
    requested_by_username: LooseStr = Field(None, alias="requestedBy_username")


class SeerrIssue(WebhookModel):
    issue_id: LooseInt = None
    issue_type: LooseStr = None
    issue_status: LooseStr = None
    reported_by_username: LooseStr = Field(None, alias="reportedBy_username")


class SeerrComment(WebhookModel):
    comment_message: LooseStr = None
    commented_by_username: LooseStr = Field(None, alias="commentedBy_username")


class SeerrExtra(WebhookModel):
    name: LooseStr = None
    value: LooseStr = None


class SeerrNotification(WebhookModel):
    notification_type: str = Field(min_length=1)
    event: LooseStr = None
    subject: LooseStr = None
    message: LooseStr = None
    image: LooseStr = None
    media: SeerrMedia | None = None
    request: SeerrRequest | None = None
    issue: SeerrIssue | None = None
    comment: SeerrComment | None = None
    extra: FirstBad[list[SeerrExtra]] = Field(default_factory=list)
