"""Crisis resources, reachable from every screen, logged in or not."""
from flask import Blueprint, current_app, render_template

bp = Blueprint("help", __name__)


@bp.route("/help")
def crisis():
    """Where to get help now; the journal is not monitored in real time."""
    return render_template("help/crisis.html", resources=current_app.config["CRISIS_RESOURCES"])
