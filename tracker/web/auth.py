"""Login and logout."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..services import accounts

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("登录名", validators=[DataRequired("请输入登录名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=256)])


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data or "", form.password.data or "",
                                     hasher=current_app.extensions["password_hasher"])
        if user is not None:
            login_user(user)
            return redirect(url_for("home.index"))
        error = "登录名或密码不正确"
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form, error=error), status  # type: ignore[return-value]


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))
