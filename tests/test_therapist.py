"""The therapist's workspace: dashboard, timeline, preparation, feedback, bad input."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journal.auth.models import THERAPIST
from journal.care.models import EntryRead, Share
from journal.extensions import db
from journal.care.models import COMMENT_MAX, Comment
from journal.therapist.models import NOTE_MAX, Meeting, TherapistNote
from journal.therapist.service import dashboard, prepare
from journal.timeutil import utcnow
from tests.factories import create_entry, create_link, create_session, share_entry


@pytest.fixture
def therapist_client(app, therapist):
    client = app.test_client()
    assert client.login(therapist.email).status_code == 302
    return client


@pytest.fixture
def linked(patient, therapist):
    create_link(patient, therapist)
    return patient


def shared_entry(patient, therapist, **fields):
    entry = create_entry(patient, **fields)
    share_entry(entry, therapist)
    return entry


def test_therapist_logs_in_to_the_dashboard(app, therapist):
    response = app.test_client().login(therapist.email)
    assert response.location == "/therapist/"


def test_dashboard_counts_only_shared_entries(therapist_client, linked, therapist):
    now = utcnow()
    shared_entry(linked, therapist, mood=3, written_at=now - timedelta(days=3), steps=["Walk", "Call"])
    latest = shared_entry(linked, therapist, mood=8, written_at=now - timedelta(days=1))
    create_entry(linked, mood=1, written_at=now, steps=["Private step"])
    therapist_client.get(f"/therapist/entries/{latest.id}")
    page = therapist_client.get("/therapist/").get_data(as_text=True)
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S).group(0)
    assert linked.display_name in row
    assert "8/10" in row, "latest shared mood, not the private one"
    assert "1 new" in row
    assert re.search(r'data-label="Open action steps">2<', row)


def test_dashboard_shows_the_latest_entry_the_therapist_may_still_read(therapist_client, linked, therapist, make_user):
    """Newer entries in the Trash, private or shared with someone else do not count."""
    now = utcnow()
    shared_entry(linked, therapist, mood=4, written_at=now - timedelta(days=5))
    other = make_user(role=THERAPIST)
    create_link(linked, other)
    share_entry(create_entry(linked, mood=9, written_at=now - timedelta(days=3)), other)
    shared_entry(linked, therapist, mood=2, written_at=now - timedelta(days=2), deleted=True)
    create_entry(linked, mood=1, written_at=now - timedelta(days=1))
    [row] = dashboard(therapist)
    assert (row.latest_mood, row.last_shared_at) == (4, now - timedelta(days=5))


def test_dashboard_runs_a_fixed_number_of_queries(therapist_client, therapist, make_user, count_queries):
    def patients(n):
        for _ in range(n):
            patient = make_user()
            create_link(patient, therapist)
            shared_entry(patient, therapist, steps=["a"])
    patients(1)
    with count_queries() as one:
        therapist_client.get("/therapist/")
    patients(5)
    with count_queries() as six:
        therapist_client.get("/therapist/")
    assert len(six) == len(one)


def test_timeline_shows_exactly_the_shared_entries(therapist_client, linked, therapist):
    shared = shared_entry(linked, therapist, insights="Shared: the river", emotions=["grief", "hope"],
                          steps=["Walk daily"])
    create_entry(linked, insights="Private: the mountain")
    page = therapist_client.get(f"/therapist/patients/{linked.id}").get_data(as_text=True)
    assert "Shared: the river" in page and "Private: the mountain" not in page
    assert "grief" in page and "Open:" in page and "Walk daily" in page
    assert 'class="badge new-badge">New<' in page
    again = therapist_client.get(f"/therapist/patients/{linked.id}").get_data(as_text=True)
    assert 'new-badge">New<' not in again
    assert f"/therapist/entries/{shared.id}" in again


def test_timeline_filters_by_dosing_session(therapist_client, linked, therapist):
    first, second = create_session(linked, substance="mdma"), create_session(linked)
    shared_entry(linked, therapist, insights="From MDMA", dosing_session=first)
    shared_entry(linked, therapist, insights="From psilocybin", dosing_session=second)
    page = therapist_client.get(f"/therapist/patients/{linked.id}?session={first.id}").get_data(as_text=True)
    assert "From MDMA" in page and "From psilocybin" not in page
    assert therapist_client.get(f"/therapist/patients/{linked.id}?session=nope").status_code == 400


def test_sessions_without_shared_entries_stay_private(therapist_client, linked, therapist):
    create_session(linked, substance="other", substance_other="Secret retreat")
    assert "Secret retreat" not in therapist_client.get(f"/therapist/patients/{linked.id}").get_data(as_text=True)


def test_mood_line_is_inline_svg_without_style_or_script(therapist_client, linked, therapist):
    for days, mood in ((5, 3), (3, 6), (1, 8)):
        shared_entry(linked, therapist, mood=mood, written_at=utcnow() - timedelta(days=days))
    page = therapist_client.get(f"/therapist/patients/{linked.id}").get_data(as_text=True)
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<polyline" in svg and svg.count("<circle") == 3
    assert not re.search(r"\sstyle=", page), "no style attributes (CSP)"
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "no inline script (CSP)"


def test_mood_chart_labels_both_axes_and_marks_the_dosing_sessions_of_shared_entries(therapist_client, linked,
                                                                                   therapist):
    now = utcnow()
    session = create_session(linked, day=(now - timedelta(days=6)).date())
    private_session = create_session(linked, substance="mdma", day=(now - timedelta(days=4)).date())
    create_entry(linked, mood=2, written_at=now - timedelta(days=3), dosing_session=private_session)
    shared_entry(linked, therapist, mood=3, written_at=now - timedelta(days=5), dosing_session=session)
    shared_entry(linked, therapist, mood=8, written_at=now - timedelta(days=1))
    for path in (f"/therapist/patients/{linked.id}", f"/therapist/patients/{linked.id}/prepare"):
        svg = re.search(r"<svg.*?</svg>", therapist_client.get(path).get_data(as_text=True), re.S).group(0)
        assert ">Mood</text>" in svg and ">Date written</text>" in svg
        dates = re.findall(r'class="mood-axis mood-date">([^<]+)<', svg)
        assert len(dates) == 4 and dates[0] == session.date.strftime("%d %b")
        assert dates[-1] == (now - timedelta(days=1)).strftime("%d %b")
        # Only the session a shared entry refers to: the other stays private.
        assert svg.count('class="mood-session"') == 1 and "Psilocybin session" in svg
        assert "MDMA" not in svg and "mdma" not in svg


def test_prepare_shows_what_was_shared_since_the_last_meeting(therapist_client, linked, therapist):
    now = utcnow()
    before = shared_entry(linked, therapist, insights="Before the meeting", mood=4, written_at=now - timedelta(days=10))
    db.session.execute(sa.update(Share).where(Share.entry_id == before.id).values(created_at=now - timedelta(days=9)))
    done_step = shared_entry(linked, therapist, insights="After the meeting", mood=7,
                             written_at=now - timedelta(days=2), steps=["Finished thing", "Open thing"])
    done_step.action_steps[0].set_done(True)
    db.session.commit()
    assert therapist_client.submit(f"/therapist/patients/{linked.id}/meetings",
                                   {"held_on": (date.today() - timedelta(days=5)).isoformat()}).status_code == 302
    page = therapist_client.get(f"/therapist/patients/{linked.id}/prepare").get_data(as_text=True)
    main = page.split("Meetings</h2>")[0]
    assert "After the meeting" in main and "Before the meeting" not in main
    assert "4 before → 7 now (+3)" in main
    assert "Finished thing" in main and "Open thing" in main


def test_prepare_includes_old_entries_shared_after_the_meeting(therapist_client, linked, therapist):
    db.session.add(Meeting(therapist_id=therapist.id, patient_id=linked.id, held_on=date.today() - timedelta(days=3)))
    db.session.commit()
    shared_entry(linked, therapist, insights="Old but newly shared", written_at=utcnow() - timedelta(days=30))
    assert "Old but newly shared" in therapist_client.get(f"/therapist/patients/{linked.id}/prepare").get_data(as_text=True)


def test_prepare_lists_each_entry_once_newest_first(linked, therapist):
    """An entry written and shared since the meeting answers both of prepare's questions."""
    db.session.add(Meeting(therapist_id=therapist.id, patient_id=linked.id, held_on=date.today() - timedelta(days=3)))
    old = shared_entry(linked, therapist, insights="Old, shared today", written_at=utcnow() - timedelta(days=30))
    new = shared_entry(linked, therapist, insights="New", written_at=utcnow() - timedelta(days=1))
    newer = shared_entry(linked, therapist, insights="Newer", written_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    assert [entry.id for entry in prepare(therapist, linked).entries] == [newer.id, new.id, old.id]


@pytest.mark.parametrize("meeting", [False, True])
def test_prepare_shows_the_newest_shared_entries_and_counts_them_all(therapist_client, linked, therapist,
                                                                     monkeypatch, meeting):
    """Years of sharing must not make a page of thousands of entries: the newest, up to a
    limit, each marked read; the summary counts all and the mood runs from the oldest."""
    monkeypatch.setattr("journal.therapist.service.PREP_ENTRIES", 2)
    now = utcnow()
    if meeting:
        db.session.add(Meeting(therapist_id=therapist.id, patient_id=linked.id, held_on=date.today() - timedelta(days=20)))
    # Written long before the meeting but shared since: it counts, and it is the oldest.
    oldest = shared_entry(linked, therapist, insights="Oldest", mood=2, written_at=now - timedelta(days=40))
    shared_entry(linked, therapist, insights="Middle", mood=5, written_at=now - timedelta(days=3))
    newer = shared_entry(linked, therapist, insights="Newer", mood=6, written_at=now - timedelta(days=2))
    newest = shared_entry(linked, therapist, insights="Newest", mood=9, written_at=now - timedelta(days=1))
    create_entry(linked, insights="Private", mood=1)
    prep = prepare(therapist, linked)
    assert [entry.id for entry in prep.entries] == [newest.id, newer.id]
    assert prep.entry_count == 4 and prep.mood_first == 2 and prep.mood_change == 7
    page = therapist_client.get(f"/therapist/patients/{linked.id}/prepare").get_data(as_text=True)
    assert "<dt>Shared entries</dt><dd>4</dd>" in page and "→ 9 now (+7)" in page
    shown = page.split('id="entries-heading"')[1].split('id="meetings-heading"')[0]
    assert "Newest" in shown and "Newer" in shown and "Middle" not in shown and "Oldest" not in shown
    assert "The 2 newest of 4 shared entries." in shown
    read = set(db.session.scalars(sa.select(EntryRead.entry_id).where(EntryRead.therapist_id == therapist.id)))
    assert read == {newest.id, newer.id}, "only what the page showed counts as read"
    assert oldest.id not in read


def test_prepare_counts_only_the_part_it_did_not_read_whole(linked, therapist, monkeypatch, count_queries):
    """Prepare reads the entries written since the meeting and the older ones shared since
    apart. A part that came back shorter than the page is known whole, its count and its
    oldest with it: asking again cost 18 ms each at 100,000 entries (bench/README.md)."""
    monkeypatch.setattr("journal.therapist.service.PREP_ENTRIES", 2)
    now = utcnow()
    db.session.add(Meeting(therapist_id=therapist.id, patient_id=linked.id, held_on=date.today() - timedelta(days=20)))
    oldest = shared_entry(linked, therapist, insights="Old, shared today", mood=2, written_at=now - timedelta(days=40))
    for days in (3, 2, 1):
        shared_entry(linked, therapist, insights=f"{days} days ago", mood=5, written_at=now - timedelta(days=days))
    db.session.commit()
    with count_queries() as statements:
        prep = prepare(therapist, linked)
    assert prep.entry_count == 4 and prep.oldest.id == oldest.id and prep.mood_first == 2
    counts = [statement for statement in statements if "count(" in statement.lower()]
    assert len(counts) == 1, "only the entries written since fill the page"


def test_prepare_lists_the_most_pressing_open_steps_and_counts_them_all(therapist_client, linked, therapist,
                                                                       monkeypatch):
    """A patient with thousands of open steps must not make a page of thousands: the ones due
    first, then the newest, up to a limit; the summary still counts every one."""
    monkeypatch.setattr("journal.therapist.service.PREP_OPEN_STEPS", 3)
    old = shared_entry(linked, therapist, written_at=utcnow() - timedelta(days=9), steps=["Old one", "Old two"])
    new = shared_entry(linked, therapist, written_at=utcnow() - timedelta(days=1), steps=["New one", "Due soon"])
    new.action_steps[1].due_date = date.today() + timedelta(days=2)
    old.action_steps[1].due_date = date.today() + timedelta(days=5)
    db.session.commit()
    prep = prepare(therapist, linked)
    assert [step.text for step in prep.open_steps] == ["Due soon", "Old two", "New one"]
    assert prep.open_step_count == 4
    page = therapist_client.get(f"/therapist/patients/{linked.id}/prepare").get_data(as_text=True)
    assert "<dt>Steps still open</dt><dd>4</dd>" in page
    steps = page.split('id="steps-heading"')[1].split('id="entries-heading"')[0]
    assert "Old one" not in steps and "The 3 open steps due first, then the newest, of 4." in steps


def test_prepare_counts_open_steps_without_a_note_when_all_are_listed(therapist_client, linked, therapist):
    shared_entry(linked, therapist, steps=["Only one"])
    db.session.commit()
    assert prepare(therapist, linked).open_step_count == 1
    page = therapist_client.get(f"/therapist/patients/{linked.id}/prepare").get_data(as_text=True)
    assert "<dt>Steps still open</dt><dd>1</dd>" in page and "Only one" in page and "due first, then" not in page


@pytest.mark.parametrize("held_on", ["", "yesterday", "2026-02-30", "1800-01-01"])
def test_bad_meeting_dates_are_refused(therapist_client, linked, held_on):
    assert therapist_client.submit(f"/therapist/patients/{linked.id}/meetings", {"held_on": held_on}).status_code == 400


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (COMMENT_MAX + 1)])
def test_bad_comments_are_refused_and_nothing_is_saved(therapist_client, linked, therapist, body):
    entry = shared_entry(linked, therapist)
    response = therapist_client.submit(f"/therapist/entries/{entry.id}/comments", {"body": body})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize("body", ["", "  ", "x" * (NOTE_MAX + 1)])
def test_bad_notes_are_refused(therapist_client, linked, body):
    assert therapist_client.submit(f"/therapist/patients/{linked.id}/notes", {"body": body}).status_code == 400


def test_bad_prompts_are_refused(therapist_client, linked):
    for text in ("", " ", "x" * 501):
        assert therapist_client.submit(f"/therapist/patients/{linked.id}/prompts", {"text": text}).status_code == 400


def test_notes_are_private_to_their_therapist(app, therapist_client, linked, therapist, make_user):
    therapist_client.submit(f"/therapist/patients/{linked.id}/notes", {"body": "<script>x</script> tender"})
    page = therapist_client.get(f"/therapist/patients/{linked.id}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt; tender" in page
    colleague = make_user(THERAPIST)
    create_link(linked, colleague)
    other = app.test_client()
    other.login(colleague.email)
    assert "tender" not in other.get(f"/therapist/patients/{linked.id}").get_data(as_text=True)
    note = db.session.scalar(sa.select(TherapistNote))
    assert other.submit(f"/therapist/notes/{note.id}/delete").status_code == 404
    patient_client = app.test_client()
    patient_client.login(linked.email)
    for url in ("/", "/care/", "/care/access-log"):
        assert "tender" not in patient_client.get(url).get_data(as_text=True)


def test_therapist_sees_only_their_own_comments(app, linked, therapist, therapist_client, make_user):
    colleague = make_user(THERAPIST)
    create_link(linked, colleague)
    entry = shared_entry(linked, therapist)
    share_entry(entry, colleague)
    db.session.add(Comment(entry_id=entry.id, therapist_id=colleague.id, body="Colleague's words"))
    db.session.commit()
    assert "Colleague's words" not in therapist_client.get(f"/therapist/entries/{entry.id}").get_data(as_text=True)


def test_therapist_cannot_open_a_non_patient_or_unknown_id(therapist_client, therapist, make_user):
    colleague = make_user(THERAPIST)
    for some_id in (colleague.id, therapist.id, "00000000-0000-0000-0000-000000000000"):
        assert therapist_client.get(f"/therapist/patients/{some_id}").status_code == 404
    assert therapist_client.get("/therapist/patients/not-a-uuid").status_code == 404


def test_every_revocation_takes_effect_on_the_next_request(therapist_client, patient_client, linked, therapist):
    entry = shared_entry(linked, therapist)
    url = f"/therapist/entries/{entry.id}"
    assert therapist_client.get(url).status_code == 200
    patient_client.submit(f"/care/entries/{entry.id}/sharing", {})
    assert therapist_client.get(url).status_code == 404
    assert therapist_client.submit(f"{url}/comments", {"body": "late"}).status_code == 404
    share_entry(entry, therapist)
    assert therapist_client.get(url).status_code == 200
    patient_client.submit(f"/entries/{entry.id}/delete")
    assert therapist_client.get(url).status_code == 404
    assert "Felt the river" not in therapist_client.get(f"/therapist/patients/{linked.id}").get_data(as_text=True)


def test_invitation_page_shows_code_and_link(therapist_client):
    response = therapist_client.submit("/therapist/invitations/new")
    assert response.status_code == 302
    page = therapist_client.get("/therapist/invitations").get_data(as_text=True)
    code = re.search(r"<code>([A-Z0-9]{3}-[A-Z0-9]{3})</code>", page).group(1)
    assert f"http://localhost/care/join/{code}" in page


def test_reads_recorded_on_the_timeline_once_per_entry(therapist_client, linked, therapist):
    for _ in range(3):
        shared_entry(linked, therapist)
    therapist_client.get(f"/therapist/patients/{linked.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntryRead)) == 3
