"""Create the bench patients with an older revision's own code: run by ``bench/baseline.py``
with that revision's folder first on ``sys.path``, so ``journal`` is the old package.

Reads ``{"password": …, "users": [{"email": …, "display_name": …}]}`` on stdin; prints
``{"journal": <journal/__init__.py it imported>, "users": [[id, email], …]}``. Uses only
what every revision has had: ``create_app``, ``User`` and ``hash_password``.
"""
import json
import sys

import journal
from journal import create_app
from journal.auth.models import User
from journal.auth.passwords import hash_password
from journal.extensions import db


def create_users(password: str, users: list[dict]) -> list[list[str]]:
    """Add the users with one hash of the password (committed); their [id, email]."""
    password_hash = hash_password(password)
    created = [User(email=user["email"], display_name=user["display_name"], password_hash=password_hash)
               for user in users]
    db.session.add_all(created)
    db.session.commit()
    return [[str(user.id), user.email] for user in created]


def main() -> None:
    request = json.load(sys.stdin)
    with create_app().app_context():
        users = create_users(request["password"], request["users"])
    json.dump({"journal": journal.__file__, "users": users}, sys.stdout)


if __name__ == "__main__":
    main()
