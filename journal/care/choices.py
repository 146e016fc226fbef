"""The care team's part of saving an entry: whom it is shared with, which prompt it answers.

Built from the posted form (or the sync API's body turned into form data) and handed to
the entry write path as a ``Contribution``: it validates itself and applies itself in
the same transaction as the entry, so entries never need to know the care team.
"""
import uuid
from dataclasses import dataclass

from journal.auth.models import User
from journal.care.access import open_prompts_for
from journal.care.forms import chosen_therapists
from journal.care.models import ReflectionPrompt
from journal.care.service import care_team, set_shares
from journal.entries.models import Entry

OUTSIDE_TEAM = ("You can only share with members of your care team. "
                "Check who is in it and choose again.")


@dataclass
class CareChoices:
    patient: User
    #: Exactly these members see the entry; None when the form offered no choice
    #: (an edit from a device that did not touch sharing leaves it as it is).
    share_with: set[uuid.UUID] | None
    #: The open reflection prompt this entry answers, if any.
    prompt: ReflectionPrompt | None

    def problems(self) -> dict[str, list[str]]:
        if self.share_with is None:
            return {}
        team = {link.therapist_id for link in care_team(self.patient.id)}
        return {"share_with": [OUTSIDE_TEAM]} if self.share_with - team else {}

    def apply(self, entry: Entry) -> None:
        """Share and mark the prompt answered. Not committed."""
        if self.share_with is not None:
            set_shares([entry], self.patient.id, self.share_with)
        if self.prompt is not None:
            self.prompt.answer_with(entry)


def care_choices(patient: User, formdata) -> CareChoices:
    """The choices in a posted entry form. A prompt no longer open (answered, withdrawn,
    from a former therapist) is ignored: the entry is saved all the same.

    :raise 400: when a sharing value is not an id (a tampered form).
    """
    share_with = chosen_therapists(formdata) if "share_choice" in formdata else None
    return CareChoices(patient, share_with, open_prompt(patient, formdata.get("prompt")))


def open_prompt(patient: User, prompt_id: str | None) -> ReflectionPrompt | None:
    """The patient's open prompt with this id, or None."""
    try:
        wanted = uuid.UUID(prompt_id or "")
    except ValueError:
        return None
    return next((p for p in open_prompts_for(patient) if p.id == wanted), None)
