"""Writing, reading, editing, searching, trashing and restoring entries."""
import uuid
from datetime import timedelta

import sqlalchemy as sa

from journal.entries.models import ActionStep, Entry
from journal.extensions import db
from journal.timeutil import utcnow
from tests.factories import create_entry, create_link, create_session, share_entry


def entry_data(**changes):
    data = {"insights": "I met the grief and it softened.", "mood": "6", "emotions": ["grief", "relief"],
            "dosing_session_id": "", "written_at": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def only_entry():
    return db.session.scalars(sa.select(Entry)).one()


def test_patient_writes_an_entry_with_mood_emotions_and_two_steps(patient_client):
    response = patient_client.submit("/entries/new", entry_data(**{
        "action_steps-0-text": "Call my sister", "action_steps-0-due_date": "2030-01-02",
        "action_steps-1-text": "Walk without my phone", "action_steps-1-done": "y"}))
    assert response.status_code == 302
    entry = only_entry()
    assert entry.mood == 6 and entry.emotions == ["relief", "grief"]
    assert [(s.text, str(s.due_date), s.done) for s in entry.action_steps] == [
        ("Call my sister", "2030-01-02", False), ("Walk without my phone", "None", True)]
    assert isinstance(entry.id, uuid.UUID) and isinstance(entry.action_steps[0].id, uuid.UUID)
    assert entry.version == 1
    assert abs(entry.written_at - utcnow()) < timedelta(minutes=1)


def test_text_keeps_emoji_rtl_and_line_breaks_and_is_shown_escaped(patient_client):
    text = "שלום עולם\nLine two 🌱\n<script>alert(1)</script>"
    patient_client.submit("/entries/new", entry_data(insights=text))
    entry = only_entry()
    assert entry.insights == text
    page = patient_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'dir="auto"' in page


def test_insights_up_to_20000_characters_are_kept_and_longer_refused(patient_client):
    assert patient_client.submit("/entries/new", entry_data(insights="a" * 20_000)).status_code == 302
    response = patient_client.submit("/entries/new", entry_data(insights="a" * 20_001))
    assert response.status_code == 400
    assert "under 20,000 characters" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1


def test_mood_is_required_and_must_be_1_to_10(patient_client):
    for mood in (None, "", "0", "11", "seven", "5.5"):
        response = patient_client.submit("/entries/new", entry_data(mood=mood))
        assert response.status_code == 400, mood
        assert "Choose your mood from 1 to 10." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_unknown_emotion_is_refused(patient_client):
    response = patient_client.submit("/entries/new", entry_data(emotions=["joy", "smug"]))
    assert response.status_code == 400 and "Choose emotions from the list." in response.get_data(as_text=True)


def test_step_with_empty_text_is_refused_and_other_input_is_kept(patient_client):
    response = patient_client.submit("/entries/new", entry_data(**{"action_steps-0-text": "   "}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Describe the step, or remove it." in page
    assert "I met the grief and it softened." in page  # nothing the patient typed is lost


def test_impossible_and_invalid_dates_are_refused(patient_client):
    response = patient_client.submit("/entries/new", entry_data(**{
        "action_steps-0-text": "x", "action_steps-0-due_date": "2026-02-30"}))
    assert response.status_code == 400 and "Enter a real calendar date" in response.get_data(as_text=True)
    response = patient_client.submit("/entries/new", entry_data(written_at="2026-13-01T10:00"))
    assert response.status_code == 400 and "Enter a real date and time" in response.get_data(as_text=True)
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = patient_client.submit("/entries/new", entry_data(written_at=future))
    assert response.status_code == 400 and "cannot be dated in the future" in response.get_data(as_text=True)


def test_entry_can_be_back_dated_in_the_patients_time_zone(app, make_user):
    user = make_user(timezone="America/New_York")
    client = app.test_client()
    client.login(user.email)
    client.submit("/entries/new", entry_data(written_at="2026-03-01T21:30"))
    assert only_entry().written_at.isoformat() == "2026-03-02T02:30:00+00:00"


def test_foreign_or_unknown_dosing_session_is_refused(patient_client, make_user):
    foreign = create_session(make_user())
    for session_id in (str(foreign.id), str(uuid.uuid4()), "not-a-uuid"):
        response = patient_client.submit("/entries/new", entry_data(dosing_session_id=session_id))
        assert response.status_code == 400
        assert "Choose one of your own dosing sessions." in response.get_data(as_text=True)


def test_entry_linked_to_a_session_shows_day_n_after(patient_client, patient):
    session = create_session(patient, substance="mdma", day=(utcnow() - timedelta(days=4)).date())
    patient_client.submit("/entries/new", entry_data(dosing_session_id=str(session.id)))
    page = patient_client.get(f"/entries/{only_entry().id}").get_data(as_text=True)
    assert "Day 4 after MDMA session" in page


def test_add_and_remove_step_buttons_work_without_javascript_and_save_nothing(patient_client):
    response = patient_client.submit("/entries/new", entry_data(add_step="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="action_steps-0-text"' in page
    response = patient_client.submit("/entries/new", entry_data(**{
        "action_steps-0-text": "first", "action_steps-1-text": "second", "remove_step": "0"}))
    page = response.get_data(as_text=True)
    assert 'value="second"' in page and 'value="first"' not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_editing_keeps_step_ids_bumps_version_and_removes_dropped_steps(patient_client, patient):
    entry = create_entry(patient, steps=["keep me", "drop me"])
    keep = entry.action_steps[0]
    response = patient_client.submit(f"/entries/{entry.id}/edit", entry_data(**{
        "insights": "edited", "base_version": str(entry.version), "action_steps-0-id": str(keep.id), "action_steps-0-text": "kept and edited",
        "action_steps-1-text": "brand new"}))
    assert response.status_code == 302
    db.session.expire_all()
    entry = only_entry()
    assert entry.insights == "edited" and entry.version == 2
    assert [s.text for s in entry.action_steps] == ["kept and edited", "brand new"]
    assert entry.action_steps[0].id == keep.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStep)) == 2


def test_a_step_id_from_another_entry_cannot_be_taken_over(patient_client, patient, make_user):
    victim = create_entry(make_user(), steps=["their step"])
    stolen = victim.action_steps[0].id
    patient_client.submit("/entries/new", entry_data(**{
        "action_steps-0-id": str(stolen), "action_steps-0-text": "mine"}))
    db.session.expire_all()
    assert db.session.get(ActionStep, stolen).text == "their step"
    mine = db.session.scalars(sa.select(Entry).where(Entry.owner_id == patient.id)).one()
    assert mine.action_steps[0].id != stolen


def test_edit_form_shows_current_values(patient_client, patient):
    entry = create_entry(patient, insights="before", mood=3, steps=["step one"])
    page = patient_client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert "\nbefore</textarea>" in page and 'value="step one"' in page
    assert '<input checked id="mood-2" name="mood" required type="radio" value="3">' in page


def test_journal_lists_newest_first_with_keyset_pages(app, patient_client, patient):
    app.config["ENTRIES_PER_PAGE"] = 3
    now = utcnow()
    for n in range(7):
        create_entry(patient, insights=f"entry number {n}", written_at=now - timedelta(hours=n))
    seen, url = [], "/"
    while url:
        page = patient_client.get(url).get_data(as_text=True)
        seen += [n for n in range(7) if f"entry number {n}" in page]
        marker = 'rel="next" href="'
        url = page.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in page else None
    assert seen == list(range(7))


def test_bad_cursor_is_a_400_not_a_500(patient_client):
    for cursor in ("garbage", "Zm9vfGJhcg", "%%%"):
        assert patient_client.get(f"/?after={cursor}").status_code == 400


def test_filter_by_dosing_session(patient_client, patient, make_user):
    session = create_session(patient)
    create_entry(patient, insights="linked one", dosing_session=session)
    create_entry(patient, insights="unlinked one")
    page = patient_client.get(f"/?session={session.id}").get_data(as_text=True)
    assert "linked one" in page and "unlinked one" not in page
    assert patient_client.get("/?session=nope").status_code == 400
    assert patient_client.get(f"/?session={create_session(make_user()).id}").status_code == 404


def test_search_finds_own_entries_only_by_text_and_step(patient_client, patient, make_user):
    create_entry(patient, insights="The Ocean was vast")
    create_entry(patient, insights="nothing here", steps=["swim in the ocean"])
    create_entry(patient, insights="mountains")
    create_entry(make_user(), insights="someone else's ocean")
    page = patient_client.get("/?q=ocean").get_data(as_text=True)
    assert "The Ocean was vast" in page and "nothing here" in page
    assert "mountains" not in page and "someone else" not in page


def test_search_treats_wildcards_literally(patient_client, patient):
    create_entry(patient, insights="100% present")
    create_entry(patient, insights="100 percent")
    page = patient_client.get("/?q=100%25").get_data(as_text=True)
    assert "100% present" in page and "100 percent" not in page


def test_trash_restore_and_purge(patient_client, patient):
    entry = create_entry(patient, insights="to the trash")
    assert patient_client.submit(f"/entries/{entry.id}/delete").status_code == 302
    assert "to the trash" not in patient_client.get("/").get_data(as_text=True)
    assert patient_client.get(f"/entries/{entry.id}").status_code == 404
    assert "to the trash" in patient_client.get("/trash").get_data(as_text=True)
    assert patient_client.submit(f"/trash/{entry.id}/restore").status_code == 302
    assert "to the trash" in patient_client.get("/").get_data(as_text=True)
    patient_client.submit(f"/entries/{entry.id}/delete")
    assert patient_client.submit(f"/trash/{entry.id}/purge").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_trash_is_purged_after_30_days_and_on_demand(patient_client, patient, runner):
    old = create_entry(patient, insights="old", deleted=True)
    old.deleted_at = utcnow() - timedelta(days=31)
    create_entry(patient, insights="recent", deleted=True)
    db.session.commit()
    page = patient_client.get("/trash").get_data(as_text=True)
    assert "recent" in page and ">old<" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1
    patient_client.submit("/trash/empty")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_purge_trash_command_removes_only_expired(runner, patient):
    expired = create_entry(patient, deleted=True)
    expired.deleted_at = utcnow() - timedelta(days=40)
    create_entry(patient, deleted=True)
    db.session.commit()
    result = runner.invoke(args=["purge-trash"])
    assert "Purged 1 entries." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1


def test_entry_list_runs_a_constant_number_of_queries(app, patient_client, patient, count_queries):
    session = create_session(patient)

    def queries_for(page_size):
        app.config["ENTRIES_PER_PAGE"] = page_size
        with count_queries() as statements:
            assert patient_client.get("/").status_code == 200
        return len(statements)

    for n in range(30):
        create_entry(patient, steps=["a", "b"], dosing_session=session)
    assert queries_for(2) == queries_for(25)
    # The login, the page of cards (steps, conflicts, new comments and whether there is a
    # care team in it), the sessions, the questionnaires answered and planned for today's
    # session. No care team: no query for one.
    assert queries_for(25) == 5


def test_the_journal_page_with_a_care_team_asks_for_the_team_and_its_shares_at_once(
        app, patient_client, patient, therapist, count_queries):
    create_link(patient, therapist)
    shared = create_entry(patient, insights="shared with the team")
    share_entry(shared, therapist)
    for n in range(5):
        create_entry(patient, insights=f"private {n}")
    with count_queries() as statements:
        page = patient_client.get("/").get_data(as_text=True)
    # The login, the page of cards, the sessions, the team with what it was shared.
    assert len(statements) == 4, "\n".join(s[:90] for s in statements)
    assert page.count("Stop sharing") == 1 and page.count("Share with care team") == 5


def test_an_empty_journal_still_offers_sharing_a_sessions_entries_with_the_team(patient_client, patient, therapist):
    create_link(patient, therapist)
    session = create_session(patient)
    page = patient_client.get(f"/?session={session.id}").get_data(as_text=True)
    assert "Share all entries of this session with your care team" in page
