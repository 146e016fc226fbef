"""The care team from the patient's side: invitations, consent, sharing, comments, prompts."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from journal.auth.models import THERAPIST
from journal.care.models import CODE_ALPHABET, CareLink, InviteAttempt, Share, normalise_code
from journal.care.service import GUESS_LIMIT, create_invitation
from journal.extensions import db
from journal.care.models import Comment, ReflectionPrompt
from journal.timeutil import utcnow
from tests.factories import create_entry, create_link, create_session, share_entry


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def therapist_client(app, therapist):
    client = app.test_client()
    assert client.login(therapist.email).status_code == 302
    return client


# Invitations and consent -------------------------------------------------------

def test_invitation_codes_are_short_unambiguous_and_single_use(therapist):
    codes = {create_invitation(therapist).code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
        assert not set(code) & set("01OIL")


@pytest.mark.parametrize("typed", ["7k4-qp9", " 7K4 QP9 ", "7K4QP9", "7k4–qp9"])
def test_typed_codes_are_normalised(typed):
    assert normalise_code(typed) == "7K4-QP9"


def test_patient_links_a_therapist_after_the_consent_screen(patient_client, patient, therapist):
    invitation = create_invitation(therapist)
    response = patient_client.submit("/care/join", {"code": invitation.code.lower().replace("-", " ")})
    assert response.status_code == 302 and response.location == f"/care/join/{invitation.code}"
    consent = patient_client.get(response.location).get_data(as_text=True)
    assert "They will see" in consent and "They will not see" in consent
    assert count(CareLink) == 0, "nothing changes before the patient confirms"
    assert patient_client.submit(f"/care/join/{invitation.code}").status_code == 302
    link = db.session.scalar(sa.select(CareLink))
    assert (link.patient_id, link.therapist_id, link.ended_at) == (patient.id, therapist.id, None)
    assert therapist.display_name in patient_client.get("/care/").get_data(as_text=True)
    # Single use: the same code again is refused, clearly.
    again = patient_client.submit("/care/join", {"code": invitation.code})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_invitation_link_opens_the_consent_screen(app, patient, therapist):
    invitation = create_invitation(therapist)
    client = app.test_client()
    response = client.get(f"/care/join/{invitation.code}")
    assert response.status_code == 302 and "/login" in response.location
    client.login(patient.email)
    assert client.get(f"/care/join/{invitation.code}").status_code == 200


@pytest.mark.parametrize("problem, message", [
    ("unknown", "could not find that code"),
    ("expired", "has expired"),
    ("used", "already been used"),
])
def test_wrong_codes_get_a_clear_message(patient_client, make_user, therapist, problem, message):
    invitation = create_invitation(therapist)
    code = "ZZZ-ZZZ" if problem == "unknown" else invitation.code
    if problem == "expired":
        invitation.expires_at = utcnow() - timedelta(minutes=1)
    if problem == "used":
        invitation.used_at = utcnow()
    db.session.commit()
    response = patient_client.submit("/care/join", {"code": code})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert patient_client.get(f"/care/join/{code}").status_code == 404


def test_code_of_a_therapist_already_in_the_team_is_explained(patient_client, patient, therapist):
    create_link(patient, therapist)
    response = patient_client.submit("/care/join", {"code": create_invitation(therapist).code})
    assert response.status_code == 400 and "already in your care team" in response.get_data(as_text=True)


def test_guessing_codes_is_rate_limited_per_patient_in_the_database(app, patient_client, patient, make_user,
                                                                     therapist):
    for _ in range(GUESS_LIMIT):
        assert patient_client.submit("/care/join", {"code": "ZZZ-ZZZ"}).status_code == 400
    good = create_invitation(therapist)
    blocked = patient_client.submit("/care/join", {"code": good.code})
    assert blocked.status_code == 429
    assert "Too many wrong codes" in blocked.get_data(as_text=True)
    assert patient_client.get(f"/care/join/{good.code}").status_code == 429
    assert count(InviteAttempt, InviteAttempt.user_id == patient.id) == GUESS_LIMIT
    # Another patient is not affected; old attempts stop counting after the window.
    other = app.test_client()
    other.login(make_user().email)
    assert other.submit("/care/join", {"code": good.code}).status_code == 302
    db.session.execute(sa.update(InviteAttempt).values(attempted_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert patient_client.submit("/care/join", {"code": good.code}).status_code == 302


def test_join_form_rejects_empty_and_overlong_codes(patient_client):
    assert patient_client.submit("/care/join", {"code": ""}).status_code == 400
    assert patient_client.submit("/care/join", {"code": "A" * 500}).status_code == 400
    assert patient_client.get("/care/join/" + "A" * 300).status_code == 404


# Ending the link ----------------------------------------------------------------

def test_patient_removes_a_therapist_and_access_ends_at_once(app, patient_client, patient, therapist,
                                                             therapist_client):
    link = create_link(patient, therapist)
    entry = create_entry(patient)
    share_entry(entry, therapist)
    assert therapist_client.get(f"/therapist/entries/{entry.id}").status_code == 200
    assert patient_client.submit(f"/care/team/{link.id}/remove").status_code == 302
    db.session.expire_all()
    assert link.ended_at is not None and link.ended_by_id == patient.id
    for url in (f"/therapist/entries/{entry.id}", f"/therapist/patients/{patient.id}",
                f"/therapist/patients/{patient.id}/prepare"):
        assert therapist_client.get(url).status_code == 404
    assert patient.display_name not in therapist_client.get("/therapist/").get_data(as_text=True)
    assert count(Share) == 0


def test_therapist_ends_the_link(patient, therapist, therapist_client):
    link = create_link(patient, therapist)
    assert therapist_client.submit(f"/therapist/patients/{patient.id}/end").status_code == 302
    db.session.expire_all()
    assert link.ended_by_id == therapist.id
    assert therapist_client.get(f"/therapist/patients/{patient.id}").status_code == 404


def test_a_patient_may_have_several_therapists(patient_client, patient, make_user):
    first, second = make_user(THERAPIST), make_user(THERAPIST)
    for therapist in (first, second):
        code = create_invitation(therapist).code
        assert patient_client.submit(f"/care/join/{code}").status_code == 302
    assert count(CareLink, CareLink.patient_id == patient.id, CareLink.ended_at.is_(None)) == 2


# Sharing --------------------------------------------------------------------------

def test_entries_are_private_until_shared_and_the_state_is_shown(patient_client, patient, therapist):
    create_link(patient, therapist)
    entry = create_entry(patient)
    page = patient_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "Private" in page and "Share with care team" in page
    listing = patient_client.get("/").get_data(as_text=True)
    assert "Private" in listing
    response = patient_client.submit(f"/care/entries/{entry.id}/sharing",
                                     {"share_with": str(therapist.id), "next": "/"})
    assert response.status_code == 302 and response.location == "/"
    assert f"Shared with {therapist.display_name}" in patient_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert patient_client.submit(f"/care/entries/{entry.id}/sharing", {}).status_code == 302
    assert count(Share) == 0


def test_sharing_from_the_entry_form(patient_client, patient, therapist):
    create_link(patient, therapist)
    form = patient_client.get("/entries/new").get_data(as_text=True)
    assert f"Share with {therapist.display_name}" in form
    response = patient_client.submit("/entries/new", {"insights": "for my therapist", "mood": "6",
                                                      "share_choice": "1", "share_with": str(therapist.id)})
    assert response.status_code == 302
    assert count(Share, Share.therapist_id == therapist.id) == 1
    entry_id = response.location.rsplit("/", 1)[-1]
    edit = patient_client.get(f"/entries/{entry_id}/edit").get_data(as_text=True)
    assert re.search(rf'value="{therapist.id}" checked', edit)
    # Saving the form without ticking anyone unshares it.
    assert patient_client.submit(f"/entries/{entry_id}/edit", {"insights": "x", "mood": "6", "base_version": "1",
                                                              "share_choice": "1"}).status_code == 302
    assert count(Share) == 0


def test_form_without_the_sharing_fieldset_leaves_sharing_alone(patient_client, patient, therapist):
    create_link(patient, therapist)
    entry = create_entry(patient)
    share_entry(entry, therapist)
    assert patient_client.submit(f"/entries/{entry.id}/edit", {"insights": "x", "mood": "6",
                                                              "base_version": str(entry.version)}).status_code == 302
    assert count(Share) == 1


def test_cannot_share_with_a_therapist_outside_the_team_or_with_garbage(patient_client, patient, make_user):
    entry = create_entry(patient)
    stranger = make_user(THERAPIST)
    patient_client.submit(f"/care/entries/{entry.id}/sharing", {"share_with": str(stranger.id)})
    assert count(Share) == 0
    assert patient_client.submit(f"/care/entries/{entry.id}/sharing",
                                 {"share_with": "not-an-id"}).status_code == 400


def test_share_all_entries_of_one_dosing_session(patient_client, patient, therapist):
    create_link(patient, therapist)
    session = create_session(patient)
    in_session = [create_entry(patient, dosing_session=session) for _ in range(3)]
    create_entry(patient, dosing_session=session, deleted=True)
    elsewhere = create_entry(patient)
    assert "Share all entries of this session" in patient_client.get(f"/?session={session.id}").get_data(as_text=True)
    patient_client.submit(f"/care/sessions/{session.id}/sharing", {"share_with": str(therapist.id)})
    shared = set(db.session.scalars(sa.select(Share.entry_id)))
    assert shared == {e.id for e in in_session} and elsewhere.id not in shared
    patient_client.submit(f"/care/sessions/{session.id}/sharing", {})
    assert count(Share) == 0


# Comments, prompts, the access log -----------------------------------------------------

def test_patient_sees_a_comment_with_an_unread_marker_once(patient_client, patient, therapist, therapist_client):
    create_link(patient, therapist)
    entry = create_entry(patient)
    share_entry(entry, therapist)
    assert therapist_client.submit(f"/therapist/entries/{entry.id}/comments",
                                   {"body": "<b>Beautiful</b> noticing."}).status_code == 302
    assert "New comment" in patient_client.get("/").get_data(as_text=True)
    first = patient_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "&lt;b&gt;Beautiful&lt;/b&gt; noticing." in first and "<b>Beautiful" not in first
    assert 'class="badge new-badge">New<' in first
    second = patient_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "Beautiful" in second and 'new-badge">New<' not in second
    assert "New comment" not in patient_client.get("/").get_data(as_text=True)
    assert "Seen by the patient" in therapist_client.get(f"/therapist/entries/{entry.id}").get_data(as_text=True)


def test_comments_stay_visible_to_the_patient_after_unsharing(patient_client, patient, therapist):
    create_link(patient, therapist)
    entry = create_entry(patient)
    db.session.add(Comment(entry_id=entry.id, therapist_id=therapist.id, body="Kept for you"))
    db.session.commit()
    assert "Kept for you" in patient_client.get(f"/entries/{entry.id}").get_data(as_text=True)


def test_prompt_shows_on_the_new_entry_screen_until_answered(patient_client, patient, therapist,
                                                            therapist_client):
    create_link(patient, therapist)
    assert therapist_client.submit(f"/therapist/patients/{patient.id}/prompts",
                                   {"text": "What did the grief you met want you to know?"}).status_code == 302
    prompt = db.session.scalar(sa.select(ReflectionPrompt))
    page = patient_client.get("/entries/new").get_data(as_text=True)
    assert "What did the grief you met want you to know?" in page
    answering = patient_client.get(f"/entries/new?prompt={prompt.id}").get_data(as_text=True)
    assert f'name="prompt" value="{prompt.id}"' in answering
    response = patient_client.submit("/entries/new", {"insights": "That it was love.", "mood": "7",
                                                      "prompt": str(prompt.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert prompt.answered_at is not None and str(prompt.answer_entry_id) in response.location
    assert "What did the grief" not in patient_client.get("/entries/new").get_data(as_text=True)
    assert count(Share) == 0, "answering a prompt does not share the entry"


def test_a_withdrawn_or_foreign_prompt_never_loses_the_entry(patient_client, patient, make_user):
    other_patient = make_user()
    therapist = make_user(THERAPIST)
    prompt = ReflectionPrompt(therapist_id=therapist.id, patient_id=other_patient.id, text="Not yours")
    db.session.add(prompt)
    db.session.commit()
    response = patient_client.submit("/entries/new", {"insights": "mine", "mood": "5", "prompt": str(prompt.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert prompt.answered_at is None


def test_prompts_of_a_former_therapist_disappear(patient_client, patient, therapist):
    link = create_link(patient, therapist)
    db.session.add(ReflectionPrompt(therapist_id=therapist.id, patient_id=patient.id, text="Old question"))
    link.ended_at = utcnow()
    db.session.commit()
    assert "Old question" not in patient_client.get("/entries/new").get_data(as_text=True)


def test_access_log_shows_who_read_which_entry(patient_client, patient, therapist, therapist_client):
    create_link(patient, therapist)
    entry = create_entry(patient)
    share_entry(entry, therapist)
    assert "No therapist has read" in patient_client.get("/care/access-log").get_data(as_text=True)
    therapist_client.get(f"/therapist/entries/{entry.id}")
    log = patient_client.get("/care/access-log").get_data(as_text=True)
    assert therapist.display_name in log and f"/entries/{entry.id}" in log


# Headers ------------------------------------------------------------------------------

def test_care_pages_with_other_peoples_data_are_never_stored(patient_client, patient, therapist,
                                                           therapist_client):
    create_link(patient, therapist)
    for url in ("/care/", "/care/access-log"):
        assert patient_client.get(url).headers["Cache-Control"] == "no-store"
    for url in ("/therapist/", "/therapist/invitations", f"/therapist/patients/{patient.id}",
                f"/therapist/patients/{patient.id}/prepare", f"/therapist/patients/{create_entry(patient).id}"):
        assert therapist_client.get(url).headers["Cache-Control"] == "no-store"


def test_demo_has_one_linked_patient_and_one_ready_to_invite(app, runner):
    from journal.demo import DEMO_PASSWORD

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    client = app.test_client()
    client.login("therapist@demo.example", DEMO_PASSWORD)
    dashboard = client.get("/therapist/").get_data(as_text=True)
    assert "Alex (demo patient)" in dashboard and "Sam (demo patient)" not in dashboard
    alex = db.session.scalar(sa.select(CareLink)).patient_id
    prepare = client.get(f"/therapist/patients/{alex}/prepare").get_data(as_text=True)
    assert "Everything shared since your last meeting" in prepare and "4 before → 7 now (+3)" in prepare
    sam = app.test_client()
    sam.login("patient@demo.example", DEMO_PASSWORD)
    assert "No therapist yet" in sam.get("/care/").get_data(as_text=True)


def test_removing_a_therapist_asks_first_and_says_what_it_ends(patient_client, patient, therapist):
    link = create_link(patient, therapist)
    team = patient_client.get("/care/").get_data(as_text=True)
    # The team page offers no one-tap removal: its button leads to the question.
    assert f'action="/care/team/{link.id}/remove"' not in team
    assert f'href="/care/team/{link.id}/remove"' in team
    question = patient_client.get(f"/care/team/{link.id}/remove")
    assert question.status_code == 200
    text = question.get_data(as_text=True)
    for words in ("no longer be able to read any of your entries", "is unshared", "cannot be undone",
                  "new invitation code", f"Yes, remove {therapist.display_name}"):
        assert words in text
    db.session.expire_all()
    assert link.ended_at is None


def test_access_log_groups_reads_per_therapist_entry_and_day(patient_client, patient, therapist,
                                                             therapist_client):
    create_link(patient, therapist)
    morning = create_entry(patient, insights="Morning walk, the light on the water")
    evening = create_entry(patient, insights="Evening call with my sister")
    for entry in (morning, evening):
        share_entry(entry, therapist)
    for _ in range(3):
        therapist_client.get(f"/therapist/entries/{morning.id}")
    therapist_client.get(f"/therapist/entries/{evening.id}")
    log = patient_client.get("/care/access-log").get_data(as_text=True)
    rows = log.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    [morning_row] = [row for row in rows if "Morning walk" in row]
    assert "3 times" in morning_row and "–" in morning_row
    assert "once, at" in next(row for row in rows if "Evening call" in row)
    # Labelled cells for the phone layout, where the column heads are hidden.
    assert 'data-label="Times read"' in log and 'data-label="Entry"' in log


def test_reads_are_grouped_by_day_in_the_patients_zone(patient, therapist):
    from datetime import datetime, timezone

    from journal.care.models import EntryRead
    from journal.care.service import access_log, grouped_reads
    from journal.timeutil import zone

    entry = create_entry(patient)
    # 23:30 and 00:30 UTC are the same evening in New York, two days in UTC.
    for hour, minute, day in ((23, 30, 1), (0, 30, 2), (14, 0, 2)):
        db.session.add(EntryRead(entry_id=entry.id, therapist_id=therapist.id,
                                 read_at=datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)))
    db.session.commit()
    rows = grouped_reads(access_log(patient.id), zone("America/New_York"))
    assert [(row.day.isoformat(), row.count) for row in rows] == [("2026-11-02", 1), ("2026-11-01", 2)]
    evening = rows[1]
    assert (evening.first.hour, evening.last.hour) == (23, 0)
