"""The phone's "More" tab: the patient's pages that have no tab of their own."""
from flask import Blueprint, render_template

from journal.auth.access import patient_required

bp = Blueprint("menu", __name__)


@bp.route("/more")
@patient_required
def more():
    """Sessions, care team, Trash, account and help, one tap from the tab bar."""
    return render_template("menu/more.html")
