"""The ledger's tables. Importing this package registers every model on ``Base.metadata``."""

from app.models.base import Base, Synced, as_stored, utcnow
from app.models.bookkeeping import AuditEntry, Draft, OutboxOp, SearchKey, SyncState
from app.models.errands import Errand, ErrandItem, ErrandStep
from app.models.grid import GridNode, GridPost, Staff
from app.models.people import Household, HouseholdChange, Person, ResidenceDetail, SpecialGroupRecord
from app.models.places import Membership, Organisation, Place, Tenancy
from app.models.reference import (
    Attachment,
    AttachmentBlob,
    CalendarDay,
    CalendarYear,
    CodeEntry,
    DeadlineRule,
)
from app.models.work import (
    Event,
    EventParty,
    EventStep,
    InspectionRound,
    InspectionVisit,
    Meeting,
    MeetingEvent,
    SentimentLog,
)

SYNCED_MODELS: tuple[type[Synced], ...] = (
    GridNode, Staff, GridPost, Household, HouseholdChange, Person, ResidenceDetail, SpecialGroupRecord,
    Place, Tenancy, Organisation, Membership, SentimentLog, Event, EventParty, EventStep, InspectionRound,
    InspectionVisit, Meeting, MeetingEvent, ErrandItem, Errand, ErrandStep, CodeEntry, CalendarDay,
    CalendarYear, DeadlineRule, Attachment,
)  # fmt: skip
"""Every record kind that syncs, in dependency order (parents before children)."""

ENTITY_BY_NAME: dict[str, type[Synced]] = {m.__tablename__: m for m in SYNCED_MODELS}  # type: ignore[attr-defined]

__all__ = [
    "ENTITY_BY_NAME", "SYNCED_MODELS", "Attachment", "AttachmentBlob", "AuditEntry", "Base", "CalendarDay",
    "CalendarYear", "CodeEntry", "DeadlineRule", "Draft", "Errand", "ErrandItem", "ErrandStep", "Event", "EventParty",
    "EventStep", "GridNode", "GridPost", "Household", "HouseholdChange", "InspectionRound", "InspectionVisit",
    "Meeting", "MeetingEvent", "Membership", "Organisation", "OutboxOp", "Person", "Place", "ResidenceDetail",
    "SearchKey", "SentimentLog", "SpecialGroupRecord", "Staff", "SyncState", "Synced", "Tenancy", "as_stored", "utcnow",
]  # fmt: skip
