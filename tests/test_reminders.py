"""Reminders: the page, planning at local times across daylight saving, sending each once."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from journal.care.models import Comment
from journal.entries.models import ActionStep
from journal.extensions import db
from journal.reminders.models import CLAIMED, SENDING, SENT, ReminderDelivery, ReminderSettings
from journal.reminders.send import LEASE, claim, send_due
from tests.factories import create_entry, create_link, create_response, create_session, share_entry

UTC = timezone.utc


def turn_on(user, **times) -> ReminderSettings:
    settings = db.session.get(ReminderSettings, user.id) or ReminderSettings(user_id=user.id,
                                                                             always_email=False)
    for name, value in times.items():
        setattr(settings, name, value)
    db.session.add(settings)
    db.session.commit()
    return settings


def sent(user=None) -> list[ReminderDelivery]:
    query = sa.select(ReminderDelivery).where(ReminderDelivery.status == SENT)
    if user is not None:
        query = query.where(ReminderDelivery.user_id == user.id)
    return list(db.session.scalars(query.order_by(ReminderDelivery.due_at)))


# The page ------------------------------------------------------------------------------

def test_reminders_are_all_off_until_the_patient_chooses(patient_client, patient):
    page = patient_client.get("/reminders/")
    assert page.status_code == 200
    assert b"checked" not in page.data
    assert db.session.get(ReminderSettings, patient.id) is None


def test_patient_turns_on_a_daily_and_a_step_reminder(patient_client, patient):
    answer = patient_client.submit("/reminders/", {
        "timezone": "America/Los_Angeles", "daily": "y", "daily_at": "08:00",
        "steps": "y", "steps_at": "09:30", "care_team": "y"})
    assert answer.status_code == 302
    db.session.expire_all()
    settings = db.session.get(ReminderSettings, patient.id)
    assert (settings.daily_at, settings.steps_at) == (time(8, 0), time(9, 30))
    assert settings.care_since is not None and settings.quiet_from is None
    assert patient.timezone == "America/Los_Angeles"
    assert b'value="08:00"' in patient_client.get("/reminders/").data


@pytest.mark.parametrize("bad", [
    {"daily": "y", "daily_at": "24:00"},
    {"daily": "y", "daily_at": "7:61"},
    {"daily": "y", "daily_at": ""},
    {"daily": "y", "daily_at": "08:00", "timezone": "Mars/Olympus_Mons"},
    {"quiet": "y", "quiet_from": "22:00", "quiet_until": "late"},
])
def test_a_bad_time_or_zone_is_refused_and_nothing_stored(patient_client, patient, bad):
    answer = patient_client.submit("/reminders/", {"timezone": "Europe/London"} | bad)
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(ReminderSettings, patient.id) is None
    assert patient.timezone == "UTC"


def test_reminders_page_needs_a_login(client):
    assert client.get("/reminders/").status_code == 302


# Sending by mail -----------------------------------------------------------------------

def test_a_daily_reminder_arrives_by_mail_without_any_content(app, patient, mailbox):
    create_entry(patient, insights="Psilocybin showed me my father's face.")
    turn_on(patient, daily_at=time(8, 0))
    assert send_due(datetime(2026, 6, 1, 8, 0, tzinfo=UTC)) == 1
    [message] = mailbox.wait_for(1)
    text = message.get_body().get_content()
    assert message["To"] == patient.email
    assert "A moment to write in your journal?" in text
    assert "http://127.0.0.1:5000/entries/new" in text
    for secret in ("Psilocybin", "father", patient.display_name):
        assert secret not in text and secret not in message["Subject"]


def test_send_reminders_command_time_travels_and_writes_mail_files(app, runner, patient, tmp_path):
    app.config.update(SMTP_URL=None, MAIL_DIR=str(tmp_path / "mail"))
    patient.timezone = "Europe/London"
    turn_on(patient, daily_at=time(8, 0), steps_at=time(9, 0))
    create_entry(patient, steps=[("Call my sister", date(2026, 7, 1))])
    result = runner.invoke(args=["send-reminders", "--now", "2026-07-01T08:00:00+01:00"])
    assert "Sent 1 reminders." in result.output, result.output
    result = runner.invoke(args=["send-reminders", "--now", "2026-07-01T09:00:00+01:00"])
    assert "Sent 1 reminders." in result.output, result.output
    mails = sorted(path.read_text() for path in (tmp_path / "mail").glob("*.eml"))
    assert len(mails) == 2
    assert any("You have an action step due today." in mail for mail in mails)
    assert not any("sister" in mail for mail in mails)


def test_send_reminders_refuses_a_bad_now(runner):
    result = runner.invoke(args=["send-reminders", "--now", "tomorrow-ish"])
    assert result.exit_code == 2 and "--now" in result.output


def test_step_reminder_only_on_a_day_a_step_is_due(app, patient, mailbox):
    turn_on(patient, steps_at=time(9, 0))
    entry = create_entry(patient, steps=[("Walk", date(2026, 6, 3)), ("Done already", date(2026, 6, 2))])
    db.session.execute(sa.update(ActionStep).where(ActionStep.entry_id == entry.id,
                                                   ActionStep.due_date == date(2026, 6, 2)).values(done=True))
    db.session.commit()
    assert send_due(datetime(2026, 6, 2, 9, 0, tzinfo=UTC)) == 0
    assert send_due(datetime(2026, 6, 3, 9, 5, tzinfo=UTC)) == 1
    assert [d.target for d in sent(patient)] == ["/steps/"]


def test_quiet_hours_hold_a_reminder_until_they_end(app, patient, mailbox):
    turn_on(patient, daily_at=time(7, 0), quiet_from=time(22, 0), quiet_until=time(7, 30))
    assert send_due(datetime(2026, 6, 1, 7, 0, tzinfo=UTC)) == 0
    assert send_due(datetime(2026, 6, 1, 7, 30, tzinfo=UTC)) == 1


def test_a_comment_from_the_care_team_is_announced_once_without_names(app, patient, therapist, mailbox):
    create_link(patient, therapist)
    entry = create_entry(patient)
    share_entry(entry, therapist)
    turn_on(patient, care_since=datetime.now(UTC) - timedelta(minutes=5))
    db.session.add(Comment(entry_id=entry.id, therapist_id=therapist.id, body="Lovely insight about grief."))
    db.session.commit()
    now = datetime.now(UTC) + timedelta(seconds=1)
    assert send_due(now) == 1
    assert send_due(now + timedelta(minutes=1)) == 0
    [message] = mailbox.wait_for(1)
    text = message.get_body().get_content()
    assert "You have a new note in your journal." in text and f"/entries/{entry.id}" in text
    assert therapist.display_name not in text and "grief" not in text


def test_therapist_digest_counts_patients_who_shared_and_names_none(app, make_user, therapist, mailbox):
    from journal.auth.models import THERAPIST

    for _ in range(3):
        patient = make_user()
        create_link(patient, therapist)
        share_entry(create_entry(patient), therapist)
    quiet_colleague = make_user(THERAPIST)
    moment = (datetime.now(UTC) + timedelta(hours=1)).replace(second=0, microsecond=0)
    turn_on(therapist, digest_at=moment.time())
    turn_on(quiet_colleague, digest_at=moment.time())
    assert send_due(moment) == 1
    [message] = mailbox.wait_for(1)
    text = message.get_body().get_content()
    assert message["To"] == therapist.email and "3 patients shared new entries." in text
    assert "Patient" not in text and "/therapist/" in text


# Time: daylight saving -----------------------------------------------------------------

@pytest.mark.parametrize("zone_name, first_day", [
    ("Europe/London", date(2026, 3, 27)),        # clocks go forward on 29 March
    ("Europe/London", date(2026, 10, 23)),       # and back on 25 October
    ("America/Los_Angeles", date(2026, 3, 6)),   # forward on 8 March
    ("America/Los_Angeles", date(2026, 10, 30)),  # back on 1 November
])
def test_daily_0800_fires_once_a_day_across_daylight_saving(app, make_user, zone_name, first_day, tmp_path):
    app.config.update(SMTP_URL=None, MAIL_DIR=str(tmp_path / "mail"))
    patient = make_user(timezone=zone_name)
    turn_on(patient, daily_at=time(8, 0))
    start = datetime.combine(first_day, time(0, 0), tzinfo=UTC)
    for step in range(0, 4 * 24 * 4):  # four days, every quarter of an hour
        send_due(start + timedelta(minutes=15 * step))
    local = [d.due_at.astimezone(ZoneInfo(zone_name)) for d in sent(patient)]
    days = [moment.date() for moment in local]
    assert len(days) == len(set(days)) and len(days) >= 3
    assert {moment.time() for moment in local} == {time(8, 0)}
    assert len(list((tmp_path / "mail").glob("*.eml"))) == len(days)


# At most once, never lost --------------------------------------------------------------

def test_running_twice_sends_once(app, patient, mailbox):
    turn_on(patient, daily_at=time(8, 0))
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert send_due(now) == 1
    assert send_due(now + timedelta(minutes=1)) == 0
    assert len(mailbox.wait_for(1)) == 1 and len(mailbox.messages) == 1


def test_a_sender_killed_after_claiming_neither_loses_nor_doubles_the_reminder(app, patient, mailbox):
    turn_on(patient, daily_at=time(8, 0))
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    from journal.reminders.plan import plan_due

    plan_due(now)
    db.session.commit()
    [claimed] = claim(now)  # … and the process dies here, before sending
    assert claimed.status == CLAIMED
    assert send_due(now + timedelta(minutes=1)) == 0  # its lease still holds
    assert send_due(now + LEASE + timedelta(minutes=1)) == 1  # taken over: not lost
    assert send_due(now + LEASE * 3) == 0
    assert len(mailbox.wait_for(1)) == 1 and len(mailbox.messages) == 1


def test_a_sender_killed_while_sending_is_never_resent(app, patient, mailbox):
    turn_on(patient, daily_at=time(8, 0))
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    send_due(now)
    db.session.execute(sa.update(ReminderDelivery).values(status=SENDING))  # as if killed mid-send
    db.session.commit()
    assert send_due(now + LEASE * 10) == 0


def test_two_senders_started_together_send_each_reminder_once(app, make_user, mailbox, tmp_path):
    """Two real ``send-reminders`` processes on the same database (PostgreSQL claims with
    FOR UPDATE SKIP LOCKED; SQLite writes one at a time)."""
    import os
    import subprocess
    import sys

    patients = [make_user(timezone="Europe/Paris") for _ in range(20)]
    for patient in patients:
        turn_on(patient, daily_at=time(8, 0))
    env = os.environ | {
        "JOURNAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOURNAL_SMTP_URL": mailbox.url, "JOURNAL_SECRET_KEY": "test-secret-key",
        "JOURNAL_INSTANCE_PATH": str(tmp_path / "instance")}
    command = [sys.executable, "-m", "flask", "--app", "journal", "send-reminders",
               "--now", "2026-06-01T08:00:00+02:00"]
    senders = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [sender.communicate(timeout=120) for sender in senders]
    assert all(sender.returncode == 0 for sender in senders), outputs
    counts = [int(out.split("Sent ")[1].split()[0]) for out, _ in outputs]
    assert sum(counts) == 20
    mailbox.wait_for(20)
    assert sorted(m["To"] for m in mailbox.messages) == sorted(p.email for p in patients)
    db.session.expire_all()
    assert len(sent()) == 20


def test_the_development_loop_sends_due_reminders_in_the_background(database, tmp_path, make_user, mailbox):
    """``make run``: the app started with ``REMINDER_LOOP`` sends reminders by itself."""
    from journal import create_app
    from tests.conftest import base_config

    patient = make_user()
    now = datetime.now(UTC)
    turn_on(patient, daily_at=time(now.hour, now.minute))
    loop_app = create_app(base_config(db.engine.url.render_as_string(hide_password=False))
                          | {"REMINDER_LOOP": True, "REMINDER_LOOP_SECONDS": 0.2, "SMTP_URL": mailbox.url})
    try:
        [message] = mailbox.wait_for(1, timeout=10)
        assert message["To"] == patient.email
    finally:
        loop_app.extensions["reminder_loop"].set()
        import time as clock

        clock.sleep(0.5)  # the thread finishes the run it is in
        with loop_app.app_context():
            db.engine.dispose()


def test_a_mail_server_that_refuses_is_tried_again_later_then_given_up(app, patient, mailbox):
    from journal.reminders.models import FAILED
    from journal.reminders.send import RETRY_AFTER
    from tests.live_gunicorn import free_port

    turn_on(patient, daily_at=time(8, 0))
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert send_due(now) == 0
    app.config["SMTP_URL"] = mailbox.url
    assert send_due(now + RETRY_AFTER / 2) == 0  # not yet
    assert send_due(now + RETRY_AFTER) == 1
    assert len(mailbox.wait_for(1)) == 1

    other = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    for minutes in range(0, 60, 5):
        send_due(other + timedelta(minutes=minutes))
    db.session.expire_all()
    assert db.session.scalar(sa.select(ReminderDelivery.status).where(ReminderDelivery.due_at >= other)) == FAILED


def test_therapist_turns_on_the_daily_digest(app, therapist):
    client = app.test_client()
    assert client.login(therapist.email).status_code == 302
    page = client.get("/reminders/")
    assert b"daily digest" in page.data and b"Journaling" not in page.data
    answer = client.submit("/reminders/", {"timezone": "Europe/Berlin", "digest": "y", "digest_at": "17:30"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReminderSettings, therapist.id).digest_at == time(17, 30)


def test_a_sender_process_killed_mid_send_never_sends_that_reminder_again(app, patient, mailbox, tmp_path):
    """A real ``send-reminders`` process, stuck in the mail server's greeting, is killed
    with SIGKILL: the row it wrote before sending keeps every later run from sending it."""
    import os
    import socket
    import subprocess
    import sys
    import time as clock

    turn_on(patient, daily_at=time(8, 0))
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # takes the connection, never says hello
    env = os.environ | {
        "JOURNAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOURNAL_SMTP_URL": f"smtp://127.0.0.1:{silent.getsockname()[1]}",
        "JOURNAL_SECRET_KEY": "test-secret-key", "JOURNAL_INSTANCE_PATH": str(tmp_path / "instance")}
    sender = subprocess.Popen([sys.executable, "-m", "flask", "--app", "journal", "send-reminders",
                               "--now", "2026-06-01T08:00:00+00:00"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            db.session.expire_all()
            db.session.rollback()
            if db.session.scalar(sa.select(ReminderDelivery.status)) == SENDING:
                break
            clock.sleep(0.05)
        else:
            raise AssertionError("the sender never started sending")
    finally:
        sender.kill()
        sender.wait()
        silent.close()
    assert send_due(datetime(2026, 6, 1, 9, 0, tzinfo=UTC)) == 0
    assert send_due(datetime(2026, 6, 2, 7, 0, tzinfo=UTC)) == 0
    assert mailbox.messages == []


def test_a_questionnaire_reminder_comes_on_the_days_the_protocol_asks(app, patient, mailbox):
    """Day 7 after a session asks for the week-1 questionnaires; day 60 is between timepoints."""
    create_session(patient, day=date(2026, 6, 1))
    turn_on(patient, measures_at=time(19, 0))
    assert send_due(datetime(2026, 7, 31, 19, 0, tzinfo=UTC)) == 0  # day 60: nothing due
    assert send_due(datetime(2026, 6, 8, 19, 0, tzinfo=UTC)) == 1  # day 7
    text = mailbox.wait_for(1)[0].get_body().get_content()
    assert "A check-in is due" in text and "/measures/" in text and "psilocybin" not in text.lower()


def test_the_patient_turns_on_questionnaire_reminders(patient_client, patient):
    answer = patient_client.submit("/reminders/", {"timezone": "UTC", "measures": "y", "measures_at": "19:00"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReminderSettings, patient.id).measures_at == time(19, 0)


def test_a_safety_flag_reaches_the_therapist_once_without_a_name(app, patient, therapist, make_user, mailbox):
    from journal.auth.models import THERAPIST

    create_link(patient, therapist)
    unlinked = make_user(THERAPIST)
    for who in (therapist, unlinked):
        turn_on(who, safety_since=datetime.now(UTC) - timedelta(minutes=5))
    session = create_session(patient, day=date.today() - timedelta(days=7))
    create_response(patient, "phq9", [0] * 8 + [1], dosing_session=session, timepoint="week1")
    now = datetime.now(UTC) + timedelta(seconds=1)
    assert send_due(now) == 1
    assert send_due(now + timedelta(minutes=1)) == 0
    [message] = mailbox.wait_for(1)
    text = message.get_body().get_content()
    assert message["To"] == therapist.email
    assert "needs your attention" in text and f"/therapist/patients/{patient.id}" in text
    assert patient.display_name not in text and "PHQ" not in text


def test_a_private_flagged_questionnaire_alerts_nobody(app, patient, therapist, mailbox):
    create_link(patient, therapist)
    turn_on(therapist, safety_since=datetime.now(UTC) - timedelta(minutes=5))
    create_response(patient, "phq9", [0] * 8 + [2], timepoint=None)  # started by the patient, not shared
    assert send_due(datetime.now(UTC) + timedelta(seconds=1)) == 0


def test_a_therapist_turns_on_safety_flag_alerts(app, therapist):
    client = app.test_client()
    client.login(therapist.email)
    answer = client.submit("/reminders/", {"timezone": "UTC", "safety": "y"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReminderSettings, therapist.id).safety_since is not None
