"""How long each kind of text may be (and how many items one bulk decision may name): one table read by the
schemas (both doors' validation), the services' own checks, and the pages' `maxlength` (the Jinja global
`limits`).

Below everything (it imports nothing), so a limit changes in one place and a form can never offer more, or
less, than the rule accepts. tests/test_text_limits.py fails on a `maxlength` written as a number.
"""
from __future__ import annotations

TITLE = 200          # an item's or an instruction's title
DESCRIPTION = 20_000  # an item's description or requirements
NOTE = 10_000        # workflow notes, reasons, closing reports, explanations, progress text, review reasons
COMMENT = 5_000      # a comment on an item
INSTRUCTION = 5_000  # a leader's instruction (批示)
SOURCE_REF = 200     # an ad-hoc item's source reference (document number, meeting and date)
EVENT_LABEL = 200    # what happened, for an event duty
SEARCH = 200         # the board's and the API's search text
CONTACT_PHONE = 32
WEBHOOK_URL = 500
PARAMETER_VALUE = 64  # a plan parameter's X value
LOGIN_NAME = 64      # an account's login name (users.username)
PERSON_NAME = 100    # an account's display name
EMAIL = 200
BULK_ITEMS = 500     # items one bulk decision (services/work/bulk.py) may name

MOBILE = 20          # a person's mobile number for SMS and the robots' mentions (reach_choices.mobile)
ROBOT_SECRET = 200   # a group robot's signing secret (unit_robots.secret)
