"""Every route × every kind of visitor, generated from the app's url_map.

A route missing from ROUTES fails ``test_every_route_is_in_the_table``, so a new
route cannot ship without saying who may use it. Another user's object is a 404.

Therapists come in every relationship the care team knows: not linked (``therapist``),
linked with the entry shared, linked but not shared, link ended, share revoked. A row
that names only ``therapist`` expects the same answer for all of them.
"""
from dataclasses import dataclass, field
from typing import Callable

import pytest
import sqlalchemy as sa

from journal.auth.models import PATIENT, THERAPIST
from journal.extensions import db
from tests.factories import create_entry, create_response, create_session

ANON, OWNER, OTHER, THERAPIST_ROLE = "anonymous", "owner", "other patient", "therapist"
#: Therapists by their relationship with the owner (THERAPIST_ROLE is not linked at all).
SHARED, NOT_SHARED = "therapist linked, entry shared", "therapist linked, not shared"
LINK_ENDED, SHARE_REVOKED = "therapist, link ended", "therapist, share revoked"
LINKED_THERAPISTS = [SHARED, NOT_SHARED, LINK_ENDED, SHARE_REVOKED]
ROLES = [ANON, OWNER, OTHER, THERAPIST_ROLE, *LINKED_THERAPISTS]
LOGIN = "login"  # anonymous visitors are redirected to the login page

#: Endpoints anyone may use, logged in or not, with the status each method gets.
PUBLIC = {"static", "help.crisis", "health.healthz", "auth.login", "auth.register", "auth.forgot_password",
          "auth.reset_link", "auth.new_password"}


@dataclass
class Route:
    method: str
    url: Callable[[dict], str]
    #: Expected status per role; linked therapists left out expect what ``therapist`` gets.
    expect: dict = field(default_factory=dict)
    data: Callable[[dict], dict] | None = None
    #: Sent as JSON (the API's writes), not as a form.
    as_json: bool = False

    def expected(self, role: str):
        if role in self.expect:
            return self.expect[role]
        return self.expect[THERAPIST_ROLE]


def patient_only(method, url, owner, data=None):
    """A patient's own object: owner gets ``owner``; the other patient and therapists 404."""
    return Route(method, url, {ANON: LOGIN, OWNER: owner, OTHER: 404, THERAPIST_ROLE: 404}, data)


def patient_page(method, url, owner, data=None):
    """A patient page that names no object: any patient gets ``owner``, a therapist 404."""
    return Route(method, url, {ANON: LOGIN, OWNER: owner, OTHER: owner, THERAPIST_ROLE: 404}, data)


def therapist_page(method, url, ok, data=None):
    """A therapist page that names no patient: every therapist gets ``ok``, patients 403."""
    return Route(method, url, {ANON: LOGIN, OWNER: 403, OTHER: 403, THERAPIST_ROLE: ok}, data)


def therapist_of_patient(method, url, ok, data=None):
    """About the owner: therapists with an active link get ``ok`` (shared or not), others 404."""
    return Route(method, url, {ANON: LOGIN, OWNER: 403, OTHER: 403, THERAPIST_ROLE: 404, SHARED: ok,
                               NOT_SHARED: ok, SHARE_REVOKED: ok, LINK_ENDED: 404}, data)


def therapist_of_entry(method, url, ok, data=None):
    """About the shared entry: only the therapist it is shared with, over an active link."""
    return Route(method, url, {ANON: LOGIN, OWNER: 403, OTHER: 403, THERAPIST_ROLE: 404, SHARED: ok,
                               NOT_SHARED: 404, SHARE_REVOKED: 404, LINK_ENDED: 404}, data)


def entry_form(world):
    return {"insights": "changed", "mood": "5", "base_version": str(world["entry"].version)}


def session_form(world):
    return {"date": "2026-10-01", "substance": "mdma"}


def entry_json(world):
    return {"base_version": world["entry"].version, "insights": "changed", "mood": 5}


EVERYONE_200 = {ANON: 200, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}


def response_json(world):
    response = world["scheduled_response"]
    return {"instrument": response.instrument, "answers": response.answers,
            "completed_at": response.completed_at.isoformat(), "dosing_session_id": None}


def share_form(world):
    return {"share_with": str(world[SHARED].id)}


def text_form(name):
    return lambda world: {name: "What did the grief you met want you to know?"}


ROUTES: dict[str, Route] = {
    "static": Route("GET", lambda w: "/static/css/app.css", {ANON: 200, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "menu.more": patient_page("GET", lambda w: "/more", 200),
    "help.crisis": Route("GET", lambda w: "/help", {ANON: 200, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "health.healthz": Route("GET", lambda w: "/healthz", {ANON: 200, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "auth.login": Route("GET", lambda w: "/login", {ANON: 200, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "auth.register": Route("GET", lambda w: "/register", {ANON: 200, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "auth.logout": Route("POST", lambda w: "/logout", {ANON: LOGIN, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "auth.account": Route("GET", lambda w: "/account", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "auth.change_password": Route("GET", lambda w: "/account/password", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "auth.forgot_password": Route("GET", lambda w: "/password/forgot", EVERYONE_200),
    # A made-up reset link, and the new-password page without one: 400 for everybody.
    "auth.reset_link": Route("GET", lambda w: "/password/reset/made-up", {ANON: 400, OWNER: 400, OTHER: 400, THERAPIST_ROLE: 400}),
    "auth.new_password": Route("GET", lambda w: "/password/new", {ANON: 400, OWNER: 400, OTHER: 400, THERAPIST_ROLE: 400}),
    # Someone else's login (or none): 404 whoever asks.
    "logins.end": Route("POST", lambda w: f"/account/logins/{w['foreign_login'].id}/end", {ANON: LOGIN, OWNER: 404, OTHER: 404, THERAPIST_ROLE: 404}),
    "logins.end_others": Route("POST", lambda w: "/account/logins/end-others", {ANON: LOGIN, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "mfa.settings": Route("GET", lambda w: "/account/security", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "mfa.totp_start": Route("POST", lambda w: "/account/security/totp/start", {ANON: LOGIN, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "mfa.totp_setup": Route("GET", lambda w: "/account/security/totp", {ANON: LOGIN, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "mfa.totp_remove": Route("POST", lambda w: "/account/security/totp/remove", {ANON: LOGIN, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "mfa.recovery_codes": Route("GET", lambda w: "/account/security/recovery-codes", {ANON: LOGIN, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "mfa.passkey_options": Route("POST", lambda w: "/account/security/passkeys/options", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "mfa.passkey_register": Route("POST", lambda w: "/account/security/passkeys", {ANON: LOGIN, OWNER: 400, OTHER: 400, THERAPIST_ROLE: 400}),
    # Someone else's passkey: 404 whoever asks.
    "mfa.passkey_remove": Route("POST", lambda w: f"/account/security/passkeys/{w['foreign_login'].id}/remove", {ANON: LOGIN, OWNER: 404, OTHER: 404, THERAPIST_ROLE: 404}),
    # The second log-in step without a password step first: back to the start, or 400 JSON.
    "mfa.verify": Route("GET", lambda w: "/login/verify", {ANON: 302, OWNER: 302, OTHER: 302, THERAPIST_ROLE: 302}),
    "mfa.passkey_login_options": Route("POST", lambda w: "/login/passkey/options", {ANON: 400, OWNER: 400, OTHER: 400, THERAPIST_ROLE: 400}),
    "mfa.passkey_login": Route("POST", lambda w: "/login/passkey", {ANON: 400, OWNER: 400, OTHER: 400, THERAPIST_ROLE: 400}),
    "privacy.export": Route("GET", lambda w: "/account/export", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "privacy.delete": Route("GET", lambda w: "/account/delete", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "entries.index": Route("GET", lambda w: "/", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 302}),
    "entries.new": patient_page("GET", lambda w: "/entries/new", 200),
    "entries.show": patient_only("GET", lambda w: f"/entries/{w['entry'].id}", 200),
    "entries.edit": patient_only("POST", lambda w: f"/entries/{w['entry'].id}/edit", 302, entry_form),
    "entries.conflict": patient_only("GET", lambda w: f"/entries/{w['entry'].id}/conflict", 302),
    "entries.keep_saved": patient_only("POST", lambda w: f"/entries/{w['entry'].id}/conflict/keep-saved", 302),
    "entries.delete": patient_only("POST", lambda w: f"/entries/{w['entry'].id}/delete", 302),
    "entries.trash": patient_page("GET", lambda w: "/trash", 200),
    "entries.restore": patient_only("POST", lambda w: f"/trash/{w['trashed'].id}/restore", 302),
    "entries.purge": patient_only("POST", lambda w: f"/trash/{w['trashed'].id}/purge", 302),
    "entries.empty_trash": patient_page("POST", lambda w: "/trash/empty", 302),
    # Reminders are anyone's own: the page, the push key, this browser's subscription.
    "reminders.index": Route("GET", lambda w: "/reminders/", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "reminders.push_key": Route("GET", lambda w: "/reminders/push-key", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    # A form post instead of a subscription's JSON: 400 for everybody logged in.
    "reminders.add_push_subscription": Route("POST", lambda w: "/reminders/push-subscriptions", {ANON: LOGIN, OWNER: 400, OTHER: 400, THERAPIST_ROLE: 400}),
    "reminders.delete_push_subscription": Route("POST", lambda w: "/reminders/push-subscriptions/delete", {ANON: LOGIN, OWNER: 204, OTHER: 204, THERAPIST_ROLE: 204}),
    "steps.index": patient_page("GET", lambda w: "/steps/", 200),
    "steps.toggle": patient_only("POST", lambda w: f"/steps/{w['step'].id}/toggle", 302),
    "dosing.index": patient_page("GET", lambda w: "/sessions/", 200),
    "dosing.new": patient_page("POST", lambda w: "/sessions/new", 302, session_form),
    "dosing.edit": patient_only("POST", lambda w: f"/sessions/{w['session'].id}/edit", 302, session_form),
    "dosing.delete": patient_only("POST", lambda w: f"/sessions/{w['session'].id}/delete", 302),
    "pwa.manifest": Route("GET", lambda w: "/manifest.webmanifest", EVERYONE_200),
    "pwa.service_worker": Route("GET", lambda w: "/sw.js", EVERYONE_200),
    "pwa.offline": Route("GET", lambda w: "/offline", EVERYONE_200),
    "api.openapi": Route("GET", lambda w: "/api/v1/openapi.json", EVERYONE_200),
    "api.session": Route("GET", lambda w: "/api/v1/session", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 200}),
    "api.changes": patient_page("GET", lambda w: "/api/v1/entries", 200),
    "api.put": patient_only("PUT", lambda w: f"/api/v1/entries/{w['entry'].id}", 200, entry_json),
    "api.settle_conflict": patient_only("DELETE", lambda w: f"/api/v1/entries/{w['entry'].id}/conflict", 204),
    "api.delete": patient_only("DELETE", lambda w: f"/api/v1/entries/{w['entry'].id}?base_version=1", 200),
    # Care team, patient side.
    "care.team": patient_page("GET", lambda w: "/care/", 200),
    "care.join": patient_page("GET", lambda w: "/care/join", 200),
    "care.consent": patient_page("GET", lambda w: f"/care/join/{w['invitation'].code}", 200),
    "care.confirm_remove": patient_only("GET", lambda w: f"/care/team/{w['link'].id}/remove", 200),
    "care.remove": patient_only("POST", lambda w: f"/care/team/{w['link'].id}/remove", 302),
    "care.share_entry": patient_only("POST", lambda w: f"/care/entries/{w['entry'].id}/sharing", 302, share_form),
    "care.share_session": patient_only("POST", lambda w: f"/care/sessions/{w['session'].id}/sharing", 302,
                                       share_form),
    "care.access": patient_page("GET", lambda w: "/care/access-log", 200),
    # Questionnaires and the safety plan, patient side.
    "measures.index": patient_page("GET", lambda w: "/measures/", 200),
    "measures.fill": patient_page("GET", lambda w: "/measures/phq9/new", 200),
    "measures.result": patient_only("GET", lambda w: f"/measures/responses/{w['scheduled_response'].id}", 200),
    "measures.share": patient_only("POST", lambda w: f"/measures/responses/{w['private_response'].id}/share", 302,
                                   share_form),
    "measures.delete": patient_only("POST", lambda w: f"/measures/responses/{w['private_response'].id}/delete", 302),
    "measures.safety_plan": patient_page("GET", lambda w: "/safety-plan", 200),
    "api.measures": patient_page("GET", lambda w: "/api/v1/measures", 200),
    # The same response sent again by its owner is a replay (200); another account's id is a 404.
    "api.put_response": patient_only("PUT", lambda w: f"/api/v1/measures/responses/{w['scheduled_response'].id}",
                                     200, response_json),
    # A batch of the owner's own writes applies (200, each item answered); a therapist's is a 404.
    "api.batch": Route("POST", lambda w: "/api/v1/batch", {ANON: LOGIN, OWNER: 200, OTHER: 200, THERAPIST_ROLE: 404},
                       lambda w: {"requests": []}, as_json=True),
    "privacy.export_fhir": patient_page("GET", lambda w: "/account/export/fhir", 200),
    # The therapist's workspace.
    "therapist.dashboard": therapist_page("GET", lambda w: "/therapist/", 200),
    "therapist.invitations": therapist_page("GET", lambda w: "/therapist/invitations", 200),
    "therapist.invite": therapist_page("POST", lambda w: "/therapist/invitations/new", 302),
    "therapist.patient": therapist_of_patient("GET", lambda w: f"/therapist/patients/{w[OWNER].id}", 200),
    "therapist.prepare": therapist_of_patient("GET", lambda w: f"/therapist/patients/{w[OWNER].id}/prepare", 200),
    "therapist.add_meeting": therapist_of_patient(
        "POST", lambda w: f"/therapist/patients/{w[OWNER].id}/meetings", 302, lambda w: {"held_on": "2026-11-01"}),
    "therapist.add_note": therapist_of_patient(
        "POST", lambda w: f"/therapist/patients/{w[OWNER].id}/notes", 302, text_form("body")),
    "therapist.assign_prompt": therapist_of_patient(
        "POST", lambda w: f"/therapist/patients/{w[OWNER].id}/prompts", 302, text_form("text")),
    "therapist.set_protocol": therapist_of_patient(
        "POST", lambda w: f"/therapist/patients/{w[OWNER].id}/protocol", 302, lambda w: {"baseline": "phq9"}),
    "therapist.reset_protocol": therapist_of_patient(
        "POST", lambda w: f"/therapist/patients/{w[OWNER].id}/protocol/reset", 302),
    # A response the protocol asked for is visible to every therapist linked now (see below
    # for self-started ones).
    "therapist.flag_seen": therapist_of_patient(
        "POST", lambda w: f"/therapist/responses/{w['scheduled_response'].id}/seen", 302),
    "therapist.end": therapist_of_patient("POST", lambda w: f"/therapist/patients/{w[OWNER].id}/end", 302),
    "therapist.entry": therapist_of_entry("GET", lambda w: f"/therapist/entries/{w['entry'].id}", 200),
    "therapist.comment": therapist_of_entry(
        "POST", lambda w: f"/therapist/entries/{w['entry'].id}/comments", 302, text_form("body")),
    # A note belongs to the therapist who wrote it (the "shared" one here): another therapist's is a 404.
    "therapist.delete_note": Route("POST", lambda w: f"/therapist/notes/{w['note'].id}/delete",
                                   {ANON: LOGIN, OWNER: 403, OTHER: 403, THERAPIST_ROLE: 404, SHARED: 302}),
}


def care_team_world(world, make_user) -> dict:
    """The owner's care team: one therapist per relationship, the entry shared as each needs."""
    from journal.care.models import CareLink, Share
    from journal.care.service import create_invitation, end_link, set_shares
    from journal.therapist.models import TherapistNote

    owner, entry = world[OWNER], world["entry"]
    team = {role: make_user(THERAPIST) for role in LINKED_THERAPISTS}
    links = {role: CareLink(patient_id=owner.id, therapist_id=therapist.id) for role, therapist in team.items()}
    db.session.add_all(links.values())
    db.session.add_all(Share(entry_id=entry.id, therapist_id=team[role].id)
                       for role in (SHARED, LINK_ENDED, SHARE_REVOKED))
    db.session.add(TherapistNote(therapist_id=team[SHARED].id, patient_id=owner.id, body="Private to the shared one"))
    end_link(links[LINK_ENDED], owner)
    set_shares([entry], owner.id, [team[SHARED].id])
    invitation = create_invitation(world[THERAPIST_ROLE])
    note = db.session.scalar(sa.select(TherapistNote))
    return {**team, "link": links[SHARED], "note": note, "invitation": invitation}


@pytest.fixture
def world(make_user):
    """The owner's objects, and the other people who must not reach them."""
    owner = make_user(PATIENT)
    session = create_session(owner)
    entry = create_entry(owner, steps=["Breathe before meetings"], dosing_session=session)
    trashed = create_entry(owner, deleted=True)
    world = {
        OWNER: owner, OTHER: make_user(PATIENT), THERAPIST_ROLE: make_user(THERAPIST),
        "session": session, "entry": entry, "trashed": trashed, "step": entry.action_steps[0],
    }
    world |= care_team_world(world, make_user)
    return {**world, **responses_world(world), "foreign_login": foreign_login(make_user)}


def responses_world(world) -> dict:
    """A scheduled PHQ-9 (item 9 flagged), a self-started WHO-5 shared with the "shared"
    therapist (and, like the entry, revoked from the "revoked" one), a self-started GAD-7 shared with nobody."""
    from journal.care.measure_service import set_response_shares

    owner = world[OWNER]
    scheduled = create_response(owner, "phq9", [1] * 9, timepoint="baseline")
    shared = create_response(owner, "who5", [3] * 5, timepoint=None)
    private = create_response(owner, "gad7", [2] * 7, timepoint=None)
    set_response_shares(shared, [world[SHARED].id, world[SHARE_REVOKED].id])
    db.session.commit()
    set_response_shares(shared, [world[SHARED].id])
    db.session.commit()
    return {"scheduled_response": scheduled, "shared_response": shared, "private_response": private}


def foreign_login(make_user):
    """A live login of a user outside this world: nobody in it may end it."""
    from journal.logins.models import LoginSession

    stranger = make_user(PATIENT)
    login = LoginSession(user_id=stranger.id, token_hash="0" * 64, device="Firefox on Linux")
    db.session.add(login)
    db.session.commit()
    return login


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "add these routes to ROUTES with who may use them"
    assert set(ROUTES) - endpoints == set(), "these routes no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_role_as_the_table_says(app, world, endpoint, role):
    route = ROUTES[endpoint]
    client = app.test_client()
    if role != ANON:
        assert client.login(world[role].email).status_code == 302
    url = route.url(world)
    if route.method == "GET":
        response = client.get(url)
    elif route.method in ("PUT", "DELETE") or route.as_json:
        response = client.open(url, method=route.method, json=route.data(world) if route.data else None,
                               headers={"X-CSRFToken": client.csrf_token()})
    else:
        response = client.submit(url, route.data(world) if route.data else {})
    expected = route.expected(role)
    if expected == LOGIN:
        assert response.status_code in (302, 401), response.status_code
        if response.status_code == 302:
            assert response.location.startswith("/login")
    else:
        assert response.status_code == expected, f"{route.method} {url} as {role}"


#: Which of the owner's questionnaire responses each therapist may read (the one rule in
#: journal/care/visibility.py): scheduled → every therapist linked now; self-started → only
#: those it is shared with; nothing over an ended link or without one.
RESPONSE_VISIBILITY = {
    "scheduled_response": {THERAPIST_ROLE: False, SHARED: True, NOT_SHARED: True, SHARE_REVOKED: True,
                           LINK_ENDED: False},
    "shared_response": {THERAPIST_ROLE: False, SHARED: True, NOT_SHARED: False, SHARE_REVOKED: False,
                        LINK_ENDED: False},
    "private_response": {THERAPIST_ROLE: False, SHARED: False, NOT_SHARED: False, SHARE_REVOKED: False,
                         LINK_ENDED: False},
}
TITLES = {"scheduled_response": "PHQ-9", "shared_response": "WHO-5", "private_response": "GAD-7"}


@pytest.mark.parametrize("role", [THERAPIST_ROLE, *LINKED_THERAPISTS])
@pytest.mark.parametrize("kind", sorted(RESPONSE_VISIBILITY))
def test_a_therapist_reaches_a_response_only_as_the_rule_says(app, world, kind, role):
    client = app.test_client()
    assert client.login(world[role].email).status_code == 302
    visible = RESPONSE_VISIBILITY[kind][role]
    seen = client.submit(f"/therapist/responses/{world[kind].id}/seen")
    assert seen.status_code == (302 if visible else 404)
    page = client.get(f"/therapist/patients/{world[OWNER].id}")
    if page.status_code == 404:
        assert not visible
        return
    html = page.get_data(as_text=True)
    outcomes = html[html.index('<section id="outcomes"'):html.index("<!-- /outcomes -->")]
    assert (f">{TITLES[kind]} <span" in outcomes) is visible
