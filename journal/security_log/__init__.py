"""Security activity: log-ins, failures, password and second-factor changes, ended logins.

Each event is a row the account's owner sees on the Account page, and one line in the
``journal.security`` log naming the event and the account id — never an address,
a password, a code, a token or anything written in the journal.
"""
