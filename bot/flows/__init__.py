"""Step-by-step requests (support request, data update, volunteering) defined as data.

``schema`` reads an association's ``flows.yaml``; ``validators`` check each answer;
``runner`` moves a conversation through a flow as a pure function of (state, input).
"""

from bot.flows.prompts import success_text
from bot.flows.runner import current_prompt, needs_reminder, reminder, start, step
from bot.flows.schema import FieldDef, FlowDef, load_flows
from bot.flows.state import (
    Completed,
    Effect,
    Ended,
    FlowState,
    Handoff,
    StepContext,
    StepResult,
    Submit,
    UpdateProfile,
    VolunteerSignup,
)

__all__ = [
    "Completed",
    "Effect",
    "Ended",
    "FieldDef",
    "FlowDef",
    "FlowState",
    "Handoff",
    "StepContext",
    "StepResult",
    "Submit",
    "UpdateProfile",
    "VolunteerSignup",
    "current_prompt",
    "load_flows",
    "needs_reminder",
    "reminder",
    "start",
    "step",
    "success_text",
]
