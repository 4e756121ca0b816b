"""The office's webhook page: a secret is on it only in the answer that made it (issue 19 point 4)."""
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Webhook
from tracker.services.ledger import webhooks


def test_the_office_page_shows_a_secret_only_in_the_answer_that_made_it(sign_in, office):
    client = sign_in(office)
    made = client.post("/office/webhooks/", data={"url": "https://x.example/h", "events": ["item_returned"]})
    hook = db.session.scalars(sa.select(Webhook)).one()
    assert made.status_code == 200 and hook.secret in made.get_data(as_text=True)
    page = client.get("/office/webhooks/").get_data(as_text=True)
    assert hook.secret not in page and webhooks.secret_hint(hook) in page
    rotated = client.post(f"/office/webhooks/{hook.id}/secret").get_data(as_text=True)
    db.session.refresh(hook)
    assert hook.secret in rotated and hook.secret not in client.get("/office/webhooks/").get_data(as_text=True)
