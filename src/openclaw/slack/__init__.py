"""Slack: one living message per incident group with its timeline in the thread, Approve/Deny
buttons, and chat with the agent (see `capability.py`)."""

from openclaw.slack.capability import Slack, install, slack_of

__all__ = ["Slack", "install", "slack_of"]
