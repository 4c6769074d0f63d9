"""What `openclaw doctor` asks Slack: does the bot token work (`auth.test`), does each configured
channel exist and is the bot in it (`conversations.info`), and is the transport's secret there.
Synchronous (the CLI has no event loop), through slack-sdk's `WebClient` at `slack.apiUrl`."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from openclaw.config.schema import SlackSettings
from openclaw.slack.capability import secret

OK, WARN, FAIL = "ok", "warn", "fail"
Result = tuple[str, str, str]  # (check name, status, detail)


def checks(settings: SlackSettings, *, timeout_s: int = 5) -> list[Result]:
    if not settings.enabled:
        return [("slack", OK, "off (slack.enabled false)")]
    out: list[Result] = []
    token = secret(settings, "bot_token", "SLACK_BOT_TOKEN")
    if settings.mode == "socket":
        app = secret(settings, "app_token", "SLACK_APP_TOKEN")
        if not app:
            out.append(("slack app token", FAIL, "Socket Mode needs slack.appToken or $SLACK_APP_TOKEN (xapp-..., scope connections:write)"))
        elif not app.startswith("xapp-"):
            out.append(("slack app token", FAIL, "slack.appToken should start with xapp- (an app-level token, not the bot token)"))
        else:
            out.append(("slack app token", OK, "present"))
    elif not secret(settings, "signing_secret", "SLACK_SIGNING_SECRET"):
        out.append(("slack signing secret", FAIL, "HTTP mode needs slack.signingSecret or $SLACK_SIGNING_SECRET; every request is refused without it"))
    else:
        out.append(("slack signing secret", OK, "present (requests to /slack/events and /slack/interactive are verified)"))
    if not token:
        return [*out, ("slack bot token", FAIL, "slack.botToken or $SLACK_BOT_TOKEN (xoxb-...) is not set")]
    client = WebClient(token=token, base_url=settings.api_url, timeout=timeout_s)
    try:
        who = client.auth_test()
        out.append(("slack bot token", OK, f"auth.test: {who.get('user')} in {who.get('team')}"))
    except SlackApiError as exc:
        return [*out, ("slack bot token", FAIL, f"auth.test refused it: {exc.response.get('error')}")]
    except (SlackClientError, OSError) as exc:
        return [*out, ("slack bot token", WARN, f"Slack not reachable at {settings.api_url}: {exc}")]
    channels = settings.channels.all()
    if not channels:
        out.append(("slack channels", WARN, "no slack.channels set: nothing is posted"))
    for role, channel in channels.items():
        try:
            info = client.conversations_info(channel=channel)
            member = (info.get("channel") or {}).get("is_member")
            status, note = (OK, "bot is a member") if member else (WARN, "bot is not a member: /invite it, or grant chat:write.public")
            out.append((f"slack channel {role}", status, f"{channel}: {note}"))
        except SlackApiError as exc:
            out.append((f"slack channel {role}", FAIL, f"slack.channels.{role} {channel}: {exc.response.get('error')} (expected a channel id such as C0123ABCD)"))
        except (SlackClientError, OSError) as exc:
            out.append((f"slack channel {role}", WARN, f"{channel}: not checked ({exc})"))
    return out
