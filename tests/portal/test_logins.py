"""Throttled logins on the Wagtail admin (django-axes): 5 failures for a username from one
address lock that pair out for 15 minutes; staff can unlock; the lockout is logged."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

pytestmark = [pytest.mark.django_db]

LOGIN = "/admin/login/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("redactrice", "r@example.org", "bon-mot-2026",
                                                 is_staff=True)


def _try(client, password, username="redactrice", address="10.1.2.3"):
    return client.post(LOGIN, {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_the_audit_20_wrong_passwords_then_the_right_one_is_refused(client, editor, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.lockouts"):
        answers = [_try(client, f"faux-{i}").status_code for i in range(20)]
    assert answers[:4] == [200] * 4  # the form's own error
    assert set(answers[4:]) == {429}  # the 5th failure locks out
    locked = _try(client, "bon-mot-2026")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Trop de tentatives de connexion échouées" in html
    assert "Réessayez dans 15 minutes" in html
    assert "_auth_user_id" not in client.session
    assert any("login locked out: username='redactrice' ip=10.1.2.3" in r.getMessage()
               for r in caplog.records)  # logged


def test_the_lockout_is_per_username_and_address(client, editor, django_user_model):
    for i in range(5):
        _try(client, f"faux-{i}")
    assert _try(client, "bon-mot-2026").status_code == 429
    # Another address may still log in with the same account (a colleague's office) ...
    assert _try(client, "bon-mot-2026", address="10.9.9.9").status_code == 302
    client.logout()
    # ... and another account from the locked address.
    django_user_model.objects.create_user("autre", "a@example.org", "autre-mot-2026",
                                          is_staff=True)
    assert _try(client, "autre-mot-2026", username="autre").status_code == 302


def test_the_lockout_ends_after_15_minutes(client, editor):
    for i in range(5):
        _try(client, f"faux-{i}")
    assert _try(client, "bon-mot-2026").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _try(client, "bon-mot-2026").status_code == 302


def test_four_failures_then_success_clears_the_count(client, editor):
    for i in range(4):
        _try(client, f"faux-{i}")
    assert _try(client, "bon-mot-2026").status_code == 302
    client.logout()
    for i in range(4):
        assert _try(client, f"faux-{i}").status_code == 200


def test_staff_unlock_from_the_admin(client, editor, staff_client):
    for i in range(5):
        _try(client, f"faux-{i}")
    page = staff_client.get("/admin/connexions-bloquees/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Connexions bloquées" in html and "redactrice" in html and "10.1.2.3" in html
    attempt = AccessAttempt.objects.get(username="redactrice")
    answer = staff_client.post("/admin/connexions-bloquees/", {"attempt": attempt.pk})
    assert answer.status_code == 302
    assert not AccessAttempt.objects.filter(username="redactrice").exists()
    assert _try(client, "bon-mot-2026").status_code == 302


def test_editors_cannot_unlock(client, editor):
    client.force_login(editor)
    assert client.get("/admin/connexions-bloquees/").status_code in (302, 403)
