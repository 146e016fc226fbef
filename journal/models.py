"""Every model, imported in one place so Alembic and the app see the whole schema."""
from journal.auth.models import PasswordReset, User  # noqa: F401
from journal.logins.models import LoginSession  # noqa: F401
from journal.mfa.models import Passkey, RecoveryCode, TotpCredential, WebAuthnChallenge  # noqa: F401
from journal.security_log.models import SecurityEvent  # noqa: F401
from journal.throttle.models import RateLimitCounter  # noqa: F401
from journal.dosing.models import DosingSession  # noqa: F401
from journal.entries.models import ActionStep, ChangeCounter, Entry, PurgedEntry, WriteReceipt  # noqa: F401
from journal.care.models import CareLink, EntryRead, Invitation, InviteAttempt, Share  # noqa: F401
from journal.care.models import Comment, ReflectionPrompt  # noqa: F401
from journal.therapist.models import Meeting, TherapistNote  # noqa: F401
from journal.reminders.models import PushSubscription, ReminderDelivery, ReminderSettings  # noqa: F401
from journal.measures.models import MeasureProtocol, MeasureResponse, SafetyPlan  # noqa: F401
from journal.care.measure_models import ResponseRead, ResponseShare, SafetyFlagReview  # noqa: F401
