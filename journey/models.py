"""Imports every model so metadata (and Alembic) sees them all."""

from journey.activities.models import Activity
from journey.audit.models import AuditEvent
from journey.auth.models import Organization, User
from journey.cohorts.models import Cohort, GroupSession
from journey.imports.models import ImportBatch
from journey.journeys.models import Assessment, AssessmentScore, JourneyStep, Note, PlanItem
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.participants.models import Enrollment, Participant
from journey.portal.models import PortalInvite
from journey.programs.models import Program, StepTemplate

__all__ = [
    "Activity",
    "Assessment",
    "AssessmentScore",
    "AuditEvent",
    "Cohort",
    "Enrollment",
    "ExitOutcome",
    "FollowUp",
    "GroupSession",
    "ImportBatch",
    "JourneyStep",
    "Note",
    "Organization",
    "Participant",
    "PlanItem",
    "PortalInvite",
    "Program",
    "StepTemplate",
    "User",
]
