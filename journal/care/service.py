"""Rules of the care team, kept out of the views and tested without HTTP."""
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from journal.auth.models import User
from journal.care.models import (CareLink, Comment, EntryRead, Invitation, InviteAttempt, Share,
                                 new_invitation_code, normalise_code)
from journal.entries.models import Entry
from journal.database import insert_ignoring_conflict
from journal.extensions import db
from journal.timeutil import utcnow

#: Wrong codes allowed per patient in ``GUESS_WINDOW`` before answering 429.
GUESS_LIMIT = 5
GUESS_WINDOW = timedelta(minutes=15)
UNKNOWN_CODE = "We could not find that code. Check it with your therapist and type it again."


class InvitationProblem(ValueError):
    """A code that cannot be used, with a message the patient can act on."""


class TooManyGuesses(Exception):
    """The patient typed too many wrong codes recently."""


# Invitations -----------------------------------------------------------------

def create_invitation(therapist: User) -> Invitation:
    """A fresh single-use code for the therapist (committed)."""
    for _ in range(5):
        invitation = Invitation(code=new_invitation_code(), therapist_id=therapist.id)
        db.session.add(invitation)
        try:
            db.session.commit()
            return invitation
        except IntegrityError:  # the same code drawn twice: draw again
            db.session.rollback()
    raise RuntimeError("could not draw a unique invitation code")


def open_invitations(therapist: User) -> list[Invitation]:
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.therapist_id == therapist.id, Invitation.used_at.is_(None),
                                    Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())))


def recent_wrong_guesses(patient: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InviteAttempt).where(
        InviteAttempt.user_id == patient.id, InviteAttempt.attempted_at > utcnow() - GUESS_WINDOW))


def find_invitation(patient: User, typed_code: str, *, accepting: bool = False) -> Invitation:
    """The usable invitation for a typed code; wrong tries are counted per patient.
    When ``accepting``, a code this patient already used is returned too (a double tap).

    :raise TooManyGuesses: after ``GUESS_LIMIT`` wrong codes within ``GUESS_WINDOW``.
    :raise InvitationProblem: for an unknown, used or expired code, or one already accepted.
    """
    if recent_wrong_guesses(patient) >= GUESS_LIMIT:
        raise TooManyGuesses()
    code = normalise_code(typed_code)
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.code == code)) if code else None
    if accepting and invitation is not None and invitation.used_by_id == patient.id:
        return invitation  # a double tap: the first tap used it; accepting again answers the same
    problem = UNKNOWN_CODE if invitation is None else invitation.problem()
    if problem:
        db.session.add(InviteAttempt(user_id=patient.id))
        db.session.commit()
        raise InvitationProblem(problem)
    if active_link_between(patient.id, invitation.therapist_id) is not None:
        raise InvitationProblem(f"{invitation.therapist.display_name} is already in your care team.")
    return invitation


def accept_invitation(patient: User, invitation: Invitation) -> CareLink:
    """Use up the invitation and link the patient with its therapist. Not committed.

    Settled by the database, so a double tap, two tabs or two patients with one code
    make one link: the code is claimed by a conditional UPDATE (only one request can
    move it from unused to used), and one active link per pair is a unique index.
    A request that loses to its own twin gets the link the twin made.

    :raise InvitationProblem: when the code went to someone else meanwhile.
    """
    claimed = db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow(), used_by_id=patient.id)).rowcount
    if not claimed:
        return _link_made_by_twin(patient, invitation)
    db.session.execute(insert_ignoring_conflict(CareLink).values(
        id=uuid.uuid4(), patient_id=patient.id, therapist_id=invitation.therapist_id, created_at=utcnow()))
    return active_link_between(patient.id, invitation.therapist_id)


def _link_made_by_twin(patient: User, invitation: Invitation) -> CareLink:
    """:raise InvitationProblem: unless this patient's own earlier request used the code."""
    db.session.refresh(invitation)
    link = active_link_between(patient.id, invitation.therapist_id)
    if invitation.used_by_id != patient.id or link is None:
        raise InvitationProblem("That code has already been used. Ask your therapist for a new one.")
    return link


# Links -----------------------------------------------------------------------

def active_link_between(patient_id: uuid.UUID, therapist_id: uuid.UUID) -> CareLink | None:
    return db.session.scalar(sa.select(CareLink).where(
        CareLink.patient_id == patient_id, CareLink.therapist_id == therapist_id,
        CareLink.ended_at.is_(None)))


def care_team(patient_id: uuid.UUID) -> list[CareLink]:
    """The patient's active links, oldest first."""
    return list(db.session.scalars(_care_team_query(), {"patient_id": patient_id}))


@cache
def _care_team_query() -> sa.Select:
    """``care_team``'s query, built once (every journal page asks it); the patient is bound per call."""
    return (sa.select(CareLink).where(CareLink.patient_id == sa.bindparam("patient_id"), CareLink.ended_at.is_(None))
            .order_by(CareLink.created_at))


def end_link(link: CareLink, by: User) -> None:
    """End the link now and drop its shares, so a later re-link starts private (committed)."""
    link.end(by)
    owned = sa.select(Entry.id).where(Entry.owner_id == link.patient_id)
    db.session.execute(sa.delete(Share).where(Share.therapist_id == link.therapist_id,
                                              Share.entry_id.in_(owned)))
    db.session.commit()


# Sharing ---------------------------------------------------------------------

def team_and_sharing(patient_id: uuid.UUID, entry_ids: Iterable[uuid.UUID]
                     ) -> tuple[list[CareLink], dict[uuid.UUID, list[User]]]:
    """The patient's active links, oldest first (as ``care_team``), and for each entry the
    care-team members it is shared with now, by name: one query for both."""
    ids = list(entry_ids)
    team: dict[uuid.UUID, CareLink] = {}
    sharing: dict[uuid.UUID, list[User]] = {entry_id: [] for entry_id in ids}
    for link, entry_id in db.session.execute(_team_and_shares_query(), {"patient_id": patient_id, "entry_ids": ids}):
        team.setdefault(link.id, link)
        if entry_id is not None:
            sharing[entry_id].append(link.therapist)
    for therapists in sharing.values():
        therapists.sort(key=lambda therapist: therapist.display_name.casefold())
    return list(team.values()), sharing


@cache
def _team_and_shares_query() -> sa.Select:
    """``team_and_sharing``'s query, built once: each active link (its therapist joined,
    as ``CareLink`` loads it) once per entry of ``entry_ids`` shared with its therapist,
    or once with no entry."""
    shared = sa.and_(Share.therapist_id == CareLink.therapist_id,
                     Share.entry_id.in_(sa.bindparam("entry_ids", expanding=True)))
    return (sa.select(CareLink, Share.entry_id).outerjoin(Share, shared)
            .where(CareLink.patient_id == sa.bindparam("patient_id"), CareLink.ended_at.is_(None))
            .order_by(CareLink.created_at, CareLink.id))


def set_shares(entries: Iterable[Entry], patient_id: uuid.UUID, therapist_ids: Iterable[uuid.UUID]) -> None:
    """Share each entry with exactly these care-team members (others are unshared).

    Ids of therapists outside the patient's active care team are ignored. A share that
    a concurrent request (a double tap) made first is left as it is. Not committed.
    """
    team = {link.therapist_id for link in care_team(patient_id)}
    wanted = set(therapist_ids) & team
    for entry in entries:
        for therapist_id in wanted:
            db.session.execute(insert_ignoring_conflict(Share).values(
                id=uuid.uuid4(), entry_id=entry.id, therapist_id=therapist_id, created_at=utcnow()))
        db.session.execute(sa.delete(Share).where(Share.entry_id == entry.id,
                                                  Share.therapist_id.not_in(wanted)))


def share_session_entries(session_id: uuid.UUID, patient_id: uuid.UUID,
                          therapist_ids: Iterable[uuid.UUID]) -> int:
    """Share every entry (outside the Trash) of one dosing session; returns how many."""
    entries = list(db.session.scalars(sa.select(Entry).where(
        Entry.owner_id == patient_id, Entry.dosing_session_id == session_id, Entry.deleted_at.is_(None))))
    set_shares(entries, patient_id, therapist_ids)
    return len(entries)


# The access log --------------------------------------------------------------

def record_reads(therapist: User, entries: Iterable[Entry]) -> None:
    """Log that the therapist was shown these entries: one row per entry per page view.

    Callers pass only entries that passed the visibility rule; never call it for a
    patient reading their own journal. Not committed.
    """
    now = utcnow()
    for entry_id in dict.fromkeys(entry.id for entry in entries):
        db.session.add(EntryRead(entry_id=entry_id, therapist_id=therapist.id, read_at=now))


def access_log(patient_id: uuid.UUID, limit: int = 2000) -> list[tuple[EntryRead, Entry]]:
    """The latest reads of the patient's entries by therapists, newest first."""
    return list(db.session.execute(
        sa.select(EntryRead, Entry).join(Entry, Entry.id == EntryRead.entry_id)
        .where(Entry.owner_id == patient_id)
        .order_by(EntryRead.read_at.desc()).limit(limit)))


@dataclass
class ReadsOfADay:
    """One row of the access log: a therapist's reads of one entry on one day (patient's zone)."""

    therapist: User
    entry: Entry
    day: date
    count: int
    first: datetime
    last: datetime


def grouped_reads(reads: Iterable[tuple[EntryRead, Entry]], tz: tzinfo) -> list[ReadsOfADay]:
    """Fold reads given newest first into one row per therapist, entry and day, newest first.

    Every page view is still stored (``record_reads``); only the display groups them, so
    nine views of the same entry in five minutes read as one row "9 times, 18:02–18:07".
    """
    rows: dict[tuple, ReadsOfADay] = {}
    for read, entry in reads:
        day = read.read_at.astimezone(tz).date()
        key = (read.therapist_id, entry.id, day)
        row = rows.get(key)
        if row is None:
            rows[key] = ReadsOfADay(read.therapist, entry, day, 1, read.read_at, read.read_at)
        else:
            row.count += 1
            row.first = min(row.first, read.read_at)
            row.last = max(row.last, read.read_at)
    return list(rows.values())


# What the patient sees of the care team on their own entries ------------------

def comments_on(entry: Entry) -> list:
    """Every therapist comment on the patient's entry, oldest first."""
    return list(db.session.scalars(sa.select(Comment).where(Comment.entry_id == entry.id)
                                   .order_by(Comment.created_at)))


def mark_comments_read(comments: list) -> None:
    """The patient has now seen these comments (not committed)."""
    now = utcnow()
    for comment in comments:
        if comment.read_by_patient_at is None:
            comment.read_by_patient_at = now
