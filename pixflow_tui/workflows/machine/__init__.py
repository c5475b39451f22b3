"""The Machine: the whole chain as one durable, resumable run. `runs` plans, starts and resumes a run; `status`
shows it, retries from a step and exports it. Front ends import this package."""
from __future__ import annotations

from pixflow_tui.workflows.machine.runs import (
    DEFAULT_APP,
    DEFAULT_COUNT,
    DEFAULT_DURATION,
    DURATIONS,
    MODULE,
    PAID_STEPS,
    STEPS,
    STOPPED_BEFORE_PAYING,
    MachineInputs,
    MachinePlan,
    PlannedStep,
    check_inputs,
    drive_machine,
    plan_machine,
    plan_paid_steps,
    resume_machine,
    start_machine,
)
from pixflow_tui.workflows.machine.status import (
    MachineStatus,
    StepStatus,
    commit_retry,
    export_machine,
    list_runs,
    plan_retry_machine,
    run_status,
)

__all__ = [
    "DEFAULT_APP", "DEFAULT_COUNT", "DEFAULT_DURATION", "DURATIONS", "MODULE", "PAID_STEPS", "STEPS",
    "STOPPED_BEFORE_PAYING", "MachineInputs", "MachinePlan", "MachineStatus", "PlannedStep", "StepStatus",
    "check_inputs", "commit_retry", "drive_machine", "export_machine", "list_runs", "plan_machine",
    "plan_paid_steps", "plan_retry_machine", "resume_machine", "run_status", "start_machine",
]
