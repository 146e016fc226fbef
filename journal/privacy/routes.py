"""Export my data; delete my account."""
import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, ValidationError

from journal.auth.access import patient_required
from journal.auth.passwords import verify_password
from journal.extensions import db
from journal.privacy import bp
from journal.privacy.export import export_filename, export_user_data
from journal.privacy.fhir import FHIR_MIMETYPE, fhir_bundle, fhir_filename


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password to confirm.")])

    def validate_password(self, field):
        if not verify_password(current_user.password_hash, field.data or ""):
            raise ValidationError("That password is not right.")


@bp.route("/export")
@login_required
def export():
    """Download everything you wrote as JSON."""
    body = json.dumps(export_user_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{export_filename()}"',
        "Cache-Control": "no-store"})


@bp.route("/export/fhir")
@patient_required
def export_fhir():
    """Download your questionnaire answers as FHIR R4 (QuestionnaireResponses and Observations)."""
    body = json.dumps(fhir_bundle(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype=FHIR_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{fhir_filename()}"',
        "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Delete the account and all its data for good, after the password is confirmed."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        account = str(user.id)
        logout_user()
        db.session.delete(user)
        db.session.commit()
        flash("Your account and everything in it have been deleted.", "info")
        # The next page names the account and app.js wipes its data from this device; only
        # its: other accounts' entries may still wait here to sync (so not "storage").
        flash(account, "device-wipe")
        response = redirect(url_for("auth.login"))
        response.headers["Clear-Site-Data"] = '"cache"'
        return response
    return render_template("privacy/delete.html", form=form), 200 if request.method == "GET" else 400
