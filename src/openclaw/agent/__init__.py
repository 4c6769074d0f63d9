"""The agent: a model-driven tool loop that investigates escalated incidents, answers the operator
in chat and runs periodic sweeps, acting only through the policy layer."""

from __future__ import annotations

from openclaw.agent.agent import Agent
from openclaw.agent.capability import agent_of, install
from openclaw.agent.messages import Message
from openclaw.agent.runtime import AgentRuntime, RunRequest

__all__ = ["Agent", "AgentRuntime", "Message", "RunRequest", "agent_of", "install"]
